/* fuzz_bank.c: the question bank parser (domain/quiz.h) over any bytes — CSV in any encoding the
 * reader detects or XLSX (through lib/tabfile) — as an import reads them: the header search under
 * title rows, notes rows, every row checked (types, options, answers) with its report; and each
 * question read back as a member would answer it (every answer letter string it accepts scores). */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "../../src/domain/quiz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bank_parse b;
    cx_err e;
    if (quiz_bank_parse(data, size, &b, &e) == CX_OK) {
        for (int i = 0; i < b.nq; i++) {
            const quiz_q *q = &b.qs[i];
            char out[QUIZ_OPTIONS_MAX + 1];
            /* the stored answer is canonical: it reads back as itself */
            if (quiz_answer_parse(q->type, q->nopts, q->answer, "q", out, &e) != CX_OK || strcmp(out, q->answer)) abort();
            char *j = quiz_options_json(q);
            quiz_q r;
            memset(&r, 0, sizeof r);
            if (!j || quiz_options_read(j, &r) != CX_OK || r.nopts != q->nopts) abort();
            free(j);
        }
        if (b.nkept > b.nissues || b.nq + b.nissues != b.rows) abort();
        (void)quiz_score(b.nq, (int)b.rows);
    }
    quiz_bank_free(&b);
    return 0;
}
