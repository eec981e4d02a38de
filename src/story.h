/* story: the terminal's account of a script run (docs/design.md section 5), printed after
 * the table: its timeline, every scripted operation at its start and every fault at the
 * time it acted, in the order they ran (a fault and an operation at the same instant: the
 * fault first, as the run does). Each operation says what it returned. */
#ifndef QSIM_STORY_H
#define QSIM_STORY_H
#include <stdio.h>
#include "src/runner.h"

/* Prints the timeline of item it (nothing when it has no script). label: its sweep label,
 * "" when none. */
void story_print(FILE *f, const run_item *it);
#endif
