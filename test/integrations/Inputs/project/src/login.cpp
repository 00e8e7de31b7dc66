// Includes audit.h, as logout.cpp does: its finding is reported once.

#include "audit.h"

void login(Response &res) { audit(res); }
