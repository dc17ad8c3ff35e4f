/* main.c: the cxzy command line: the list of commands and the dispatch to cli/<command>.c. */
#include "cli/cli.h"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static const char *usage_main =
    "cxzy — 创先争优活动管理系统\n"
    "\n"
    "用法：cxzy <命令> [选项]\n"
    "\n"
    "命令：\n"
    "  serve         启动网站服务（默认 http://127.0.0.1:8080）\n"
    "  init          创建密钥文件和数据库结构（可同时创建根组织和管理员）\n"
    "  demo          生成演示区县：组织树、党员和演示账号\n"
    "  import        从 CSV/XLSX 导入党员名册（全部正确才导入）\n"
    "  export        导出党员名册为 XLSX 或 CSV（身份证号、电话脱敏）\n"
    "  user          账号管理：add、grant、passwd、list\n"
    "  migrate       升级数据库结构到本程序的版本\n"
    "  audit verify  校验审计日志的哈希链，报告被修改或删除的记录\n"
    "  config        网站设置：get/set/unset public-url（二维码和打印页用的公开地址）\n"
    "  recount       按原始记录重新计算某评议轮次的等次和统计数，列出差异\n"
    "  escalate      把逾期未销号的整改事项上报到上级组织（供 cron 每天运行）\n"
    "  remind        每日提醒：有待办事项的账号各发一条通知，组织开通的再发短信（供 cron 每天运行）\n"
    "  redraw        按公开的种子和同一份名单重新抽取，核对电话随机抽访（不需要数据库）\n"
    "  backup        备份 SQLite 数据库（服务运行时也可以，得到一致的副本）\n"
    "  restore       从备份恢复 SQLite 数据库（校验完整性、版本和密钥配对）\n"
    "  key rotate    换用新密钥文件：重新加密、重新计算散列、重新签署审计链（一个事务，需先停止服务）\n"
    "  partition     按省级组织分区：national on|off|status（根组织是否为全国一级）\n"
    "\n"
    "通用选项：\n"
    "  --db URL      数据库：文件路径为 SQLite（默认 data/cxzy.db），postgresql://… 为 PostgreSQL\n"
    "  --key FILE    密钥文件（默认：SQLite 为 <数据库>.key，PostgreSQL 为 data/cxzy.key）\n"
    "  --as 姓名     操作人（记录和审计日志写作“命令行（姓名）”；默认为系统用户名）\n"
    "  也可用环境变量 CXZY_DB、CXZY_KEY 设置。每个命令都支持 --help。\n";

int main(int argc, char **argv)
{
    /* Databases (with their -wal and -shm files), key files, exports and folders this program
     * creates hold personal data: readable by their owner only (0600 / 0700). */
    umask(077);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        printf("%s", usage_main);
        return argc < 2 ? 2 : 0;
    }
    cli_name_actor(NULL);
    static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
        {"serve", cmd_serve}, {"init", cmd_init},     {"demo", cmd_demo},   {"import", cmd_import},
        {"export", cmd_export}, {"user", cmd_user}, {"migrate", cmd_migrate}, {"audit", cmd_audit}, {"config", cmd_config},
        {"recount", cmd_recount}, {"escalate", cmd_escalate}, {"remind", cmd_remind},
        {"redraw", cmd_redraw}, {"backup", cmd_backup}, {"restore", cmd_restore}, {"key", cmd_key},
        {"partition", cmd_partition},
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) return cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "错误：未知命令“%s”\n\n%s", argv[1], usage_main);
    return 2;
}
