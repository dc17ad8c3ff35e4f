/* sms.h: the pluggable SMS gateway that sends verification codes to residents' phones.
 *   log        writes the message to the server log (stderr): for the demo and the tests
 *   cmd:PATH   runs PATH with the phone number as its one argument and the text on standard
 *              input; exit status 0 means sent (a site's own script in front of its carrier)
 *   none       no SMS: code requests are refused (503 sms_unavailable)
 * Configured once at start (`cxzy serve --sms …`); sending is thread-safe. */
#ifndef CX_SMS_H
#define CX_SMS_H
#include "util.h"

int sms_configure(const char *spec, cx_err *e);
const char *sms_gateway_name(void); /* "log", "cmd" or "none" */
/* Sends text to a normalised mobile number. CX_ERR with e (503 sms_unavailable / 502 sms_failed). */
int sms_send(const char *phone, const char *text, cx_err *e);
#endif
