/* bind_types.c: compiled only, by bind_types.sh (optimised): with CASE=0 the calls the binder takes
 * compile; each other CASE, a value of a type the binder does not take or a literal format that
 * does not match its values, must not. */
#include <stdint.h>
#include "../../src/store/db.h"

struct pair { int a, b; };

int calls(db *d);
int calls(db *d)
{
    int64_t out = 0;
    const char *text = "t";
    char name[8] = "n";
    const unsigned char h[4] = {0};
    enum { ONE = 1 } e = ONE;
    (void)e, (void)name, (void)h, (void)text;
#if CASE == 0
    int rc = db_run(d, "", "iiiiiisssbib", 1, (int64_t)2, (long)3, 4u, true, e, text, name, NULL, h, sizeof h, (size_t)5);
    rc |= db_i64(d, &out, 0, "", "");
    rc |= db_run(d, "", "b", DB_BLOB(h, 4));
    return rc;
#elif CASE == 1
    return db_run(d, "", "i", 1.5); /* a double */
#elif CASE == 2
    return db_run(d, "", "i", name[0]); /* a char where text was meant */
#elif CASE == 3
    struct pair p = {1, 2};
    return db_run(d, "", "i", p); /* a struct */
#elif CASE == 4
    int n = 1;
    return db_i64(d, &out, 0, "", "i", &n); /* an int * */
#elif CASE == 5
    db_q q;
    db_q_init(&q, "");
    db_q_where(&q, "a = ?", "i", 2.0f); /* a float */
    return 0;
#elif CASE == 6
    return db_run(d, "", "i", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                  28, 29, 30, 31, 32, 33); /* more than DB_MAX_ARGS values */
#elif CASE == 7
    return db_run(d, "", "is", 1, 2); /* a letter that does not match (compile time in an optimised build) */
#elif CASE == 8
    return db_i64(d, &out, 0, "", "ii", 1); /* one value short */
#elif CASE == 9
    db_q q;
    db_q_init(&q, "");
    db_q_where(&q, "a = ?", "", 2); /* one value too many */
    return 0;
#endif
}
