#ifndef PGSW_CNCURSESW_SHIM_H
#define PGSW_CNCURSESW_SHIM_H
/* SwiftPM drops pkg-config's -D flags, so the wide-character API must be
   switched on here, before the header is read. */
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
#include <locale.h>
#include <langinfo.h>
#include <wchar.h>
#include <ncursesw/curses.h>

/* Swift 6 refuses mutable C globals and does not import function-like or
   expression macros; these inline getters expose what the backend needs. */
static inline WINDOW *pgsw_stdscr(void) { return stdscr; }
/* newterm on the process's stdout/stdin: NULL (instead of initscr's exit) when TERM is unknown. */
static inline SCREEN *pgsw_newterm(void) { return newterm(NULL, stdout, stdin); }
/* Before the screen is taken: 1 when TERM is known and can position the
   cursor, 0 when it cannot, -1 when terminfo does not know it. (The
   terminfo entry read stays loaded; newterm replaces it.) */
static inline int pgsw_term_can_address(const char *term) {
    int error = 0;
    if (setupterm(term, 1, &error) != OK) return -1;
    char *cup = tigetstr("cup");
    int can = cup != NULL && cup != (char *)-1;
    return can;
}
/* 1 when the terminal can position the cursor (TERM=dumb cannot). */
static inline int pgsw_can_address_cursor(void) { char *cup = tigetstr("cup"); return cup != NULL && cup != (char *)-1; }
static inline int pgsw_lines(void) { return LINES; }
static inline int pgsw_cols(void) { return COLS; }
static inline void pgsw_getmaxyx(WINDOW *w, int *y, int *x) { int yy, xx; getmaxyx(w, yy, xx); *y = yy; *x = xx; }
static inline int pgsw_color_pair(int n) { return (int)COLOR_PAIR(n); }

static inline unsigned int pgsw_a_normal(void) { return A_NORMAL; }
static inline unsigned int pgsw_a_bold(void) { return A_BOLD; }
static inline unsigned int pgsw_a_reverse(void) { return A_REVERSE; }
static inline unsigned int pgsw_a_underline(void) { return A_UNDERLINE; }
static inline unsigned int pgsw_a_dim(void) { return A_DIM; }

static inline int pgsw_key_f(int n) { return KEY_F(n); }
static inline int pgsw_key_up(void) { return KEY_UP; }
static inline int pgsw_key_down(void) { return KEY_DOWN; }
static inline int pgsw_key_left(void) { return KEY_LEFT; }
static inline int pgsw_key_right(void) { return KEY_RIGHT; }
static inline int pgsw_key_npage(void) { return KEY_NPAGE; }
static inline int pgsw_key_ppage(void) { return KEY_PPAGE; }
static inline int pgsw_key_home(void) { return KEY_HOME; }
static inline int pgsw_key_end(void) { return KEY_END; }
static inline int pgsw_key_enter(void) { return KEY_ENTER; }
static inline int pgsw_key_backspace(void) { return KEY_BACKSPACE; }
static inline int pgsw_key_resize(void) { return KEY_RESIZE; }
static inline int pgsw_key_btab(void) { return KEY_BTAB; }
static inline int pgsw_key_code_yes(void) { return KEY_CODE_YES; }

static inline chtype pgsw_acs_ulcorner(void) { return ACS_ULCORNER; }
static inline chtype pgsw_acs_urcorner(void) { return ACS_URCORNER; }
static inline chtype pgsw_acs_llcorner(void) { return ACS_LLCORNER; }
static inline chtype pgsw_acs_lrcorner(void) { return ACS_LRCORNER; }
static inline chtype pgsw_acs_hline(void) { return ACS_HLINE; }
static inline chtype pgsw_acs_vline(void) { return ACS_VLINE; }

/* True when the active locale's character set is UTF-8. */
static inline int pgsw_locale_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs != 0 && (cs[0] == 'U' || cs[0] == 'u') && (cs[1] == 'T' || cs[1] == 't') && (cs[2] == 'F' || cs[2] == 'f');
}
#endif
