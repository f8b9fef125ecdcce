#ifndef PGSW_WIZARD_START_H
#define PGSW_WIZARD_START_H
/* Nothing to call: wizard_start.c acts before main (see there). The header
   exists because a C target needs one. */
#endif
