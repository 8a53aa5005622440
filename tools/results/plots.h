/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A plot is two files side by side: NAME.dat, its data in gnuplot
 * blocks (`index K`), and NAME.gp, its drawing, which reads NAME.dat
 * from its own directory and writes NAME.png or NAME.svg
 * (`gnuplot -e "fmt='svg'" NAME.gp`).  Both are text and the same for
 * the same results, so a regenerated plot can be checked by its files.
 */
#ifndef GMEMSUITE_RESULTS_PLOTS_H
#define GMEMSUITE_RESULTS_PLOTS_H

#include <stdbool.h>
#include <stdio.h>

struct plot {
	char dir[1024], name[64];
	FILE *dat, *gp;
	unsigned int blocks;
};

/*
 * Open DIR/NAME.dat and DIR/NAME.gp; the .gp starts with its terminal
 * (WIDTH x HEIGHT, png or svg by fmt) and output.  made_by: the command
 * that wrote it, in both files' first line.
 */
void plot_open(struct plot *p, const char *dir, const char *name,
	       unsigned int width, unsigned int height, const char *made_by);
/* A new data block (its comment: fmt with a and b); its index. */
unsigned int plot_block(struct plot *p, const char *fmt, const char *a,
			const char *b);
void plot_close(struct plot *p);
/* A gnuplot double-quoted string. */
void gp_string(FILE *f, const char *s);
/* "CMD "QUESTION\nRUN_TITLE"" and a newline (set title, multiplot). */
void gp_title(FILE *f, const char *cmd, const char *question,
	      const char *run_title);
/* A backing's or path's fixed colour, else the palette's entry n. */
const char *plot_colour(const char *name, unsigned int n);

#endif
