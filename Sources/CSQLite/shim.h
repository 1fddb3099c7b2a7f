#ifndef VECHE_CSQLITE_SHIM_H
#define VECHE_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
