/* story: the terminal's account of what happened and why (docs/design.md section 5), printed
 * after the table. For a script run, its timeline: every scripted operation at its start and
 * every fault at the time it acted, in the order they ran (a fault and an operation at the
 * same instant: the fault first, as the run does); each operation says what it returned, and
 * each stale or lost read why. For every run, the write-up: one paragraph per anomaly class
 * seen. */
#ifndef QSIM_STORY_H
#define QSIM_STORY_H
#include <stdio.h>
#include "src/runner.h"

/* Prints the timeline of item it (nothing when it has no script), headed by its sweep label
 * when it has one. Under each stale or lost read, four lines from models/explain.h: the read
 * set with the version each member returned, the holders of latest(r) when the read was
 * answered (replicas, then hints with the owner each is for), who acknowledged latest(r)
 * (and the script entry that wrote it, at its W), and why. */
void story_print(FILE *f, const run_item *it);

/* Writes lead, then text wrapped at width columns, the lines after the first at indent;
 * never breaks inside arithmetic such as "R + W = 2 <= N = 3". */
void story_wrap(FILE *f, const char *lead, const char *text, int indent, int width);

/* Most configurations whose write-up the terminal shows; beyond, it points to summary.json. */
#define STORY_WRITEUP_MAX 8
/* The write-up of each of the n items (models/explain.h): per anomaly class seen, its name,
 * the guarantee forfeited and a paragraph, wrapped at 96 columns; a line saying so when
 * there was none. */
void story_writeup(FILE *f, const run_item *items, size_t n);
#endif
