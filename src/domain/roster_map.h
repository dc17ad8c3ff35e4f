/* roster_map.h: reading a roster as offices keep it, not only the import template: title rows
 * above the header row, notes rows after the data, full-width characters, Excel serial dates.
 * The header names themselves (and their synonyms) are the one table member_cols in member.h;
 * docs/roster.md describes all of it for operators. */
#ifndef CX_ROSTER_MAP_H
#define CX_ROSTER_MAP_H
#include <stdbool.h>
#include <stddef.h>

/* The header row is looked for in this many non-empty rows at the top of the sheet. */
#define ROSTER_HEADER_SCAN 10
/* A row is the header row when at least this many of its cells are known column names. */
#define ROSTER_HEADER_MIN 2

/* Folds full-width forms to ASCII in place: ０-９, Ａ-Ｚ, ａ-ｚ and U+3000 (a space) always; with
 * punct also the rest of U+FF01..U+FF5E (－, ／, ：, （, ，, …). Free text keeps its Chinese
 * punctuation ("，" in 岗位职责, "（" in an organisation's name); numbers, dates and codes fold
 * it all. Anything else is left alone. */
void roster_fold(char *s, bool punct);

/* How many distinct roster columns the cells name (member_col_find); 0 unless one of them is
 * 姓名 or 身份证号 (a title block "联系电话 | … | 职务 | …" is no header row). */
int roster_header_hits(char *const *cells, size_t n);

/* True when the row is a note under the table, not a member: its first non-empty cell starts
 * with a note word (填表人, 填报人, 制表人, 审核人, 审批人, 负责人, 联系人, 注, 备注, 说明,
 * 填表说明, 填表日期, 制表日期, 合计, 总计, 小计, …) followed by a colon, a digit, "、", a space
 * or nothing; or, once data rows were read (after_data), its only non-empty cell is in column A
 * (where a merged note starts) and reads as a sentence (holds "：", ":", "，", "。" or "；", or
 * is longer than a name may be). */
bool roster_note_row(char *const *cells, size_t n, bool after_data);

/* A whole number of days as Excel stores a date in a cell not formatted as a date ("44927",
 * "44927.5"): 5 digits, 10000..73050 (1927-05-18..2099-12-31), optionally with a fraction.
 * Writes "YYYY-MM-DD" and returns true; false for anything else. */
bool roster_excel_serial(const char *v, char out[11]);

/* Space for the dates roster_prepare_row writes. */
typedef struct roster_scratch {
    char dates[3][11];
    /* what each member_cols index asks of its cells, worked out at the first row: zero-initialise */
    bool ready;
    signed char kind[32];
} roster_scratch;

/* Prepares one data row in place: every cell folded (roster_fold; punctuation too in 性别,
 * 出生日期, 身份证号, 联系电话, 入党时间, 转正时间 and 党员状态, where a text marker ="…" or a
 * leading ' is dropped too), spaces padding a Chinese 姓名 ("张  三") removed, Excel serials in the date
 * columns (出生日期, 入党时间, 转正时间) replaced by their date (pointing into s). colmap gives
 * each cell's member_cols index or -1. Returns false when no cell of a known column holds
 * anything (a row with only a 序号 or a remark is not a member). */
bool roster_prepare_row(char **cells, size_t n, const int *colmap, roster_scratch *s);
#endif
