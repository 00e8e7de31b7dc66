// Includes audit.h, as login.cpp does: its finding is reported once.

#include "audit.h"

void logout(Response &res) { audit(res); }
