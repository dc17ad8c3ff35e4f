/* test_netaddr.c: unit tests of --trusted-proxy lists and the client address behind trusted
 * proxies (lib/netaddr.c): networks match by prefix, IPv4-mapped IPv6 is IPv4, the right-most
 * untrusted X-Forwarded-For entry is the client, a malformed header is ignored as a whole, and an
 * untrusted peer's headers are never read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "lib/netaddr.h"

static void test_lists(void **st)
{
    (void)st;
    netlist l;
    cx_err e;
    assert_int_equal(netlist_parse(" 127.0.0.1 , 10.0.0.0/8,fd00::/8 ,192.168.1.128/25", &l, &e), CX_OK);
    assert_int_equal(l.n, 4);
    assert_true(netlist_has(&l, "127.0.0.1"));
    assert_false(netlist_has(&l, "127.0.0.2"));
    assert_true(netlist_has(&l, "10.255.1.2"));
    assert_false(netlist_has(&l, "11.0.0.1"));
    assert_true(netlist_has(&l, "fd12::1"));
    assert_false(netlist_has(&l, "fe80::1"));
    assert_true(netlist_has(&l, "192.168.1.200"));
    assert_false(netlist_has(&l, "192.168.1.127"));
    assert_true(netlist_has(&l, "::ffff:10.1.1.1")); /* IPv4-mapped */
    assert_false(netlist_has(&l, "junk"));
    assert_int_equal(netlist_parse("", &l, &e), CX_OK);
    assert_int_equal(l.n, 0);
    const char *bad[] = {"10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/8x", "host.example", "1.2.3", "::1/129", "1.2.3.4:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(netlist_parse(bad[i], &l, &e), CX_ERR);
        assert_string_equal(e.code, "invalid_trusted_proxy");
        assert_non_null(strstr(e.msg, "受信任的代理"));
    }
}

static void test_client(void **st)
{
    (void)st;
    netlist t;
    netlist_parse("127.0.0.1,10.0.0.0/8", &t, NULL);
    char out[64];
    netaddr_client(&t, "192.0.2.9", "198.51.100.1", "198.51.100.2", out); /* untrusted peer */
    assert_string_equal(out, "192.0.2.9");
    netaddr_client(&t, "127.0.0.1", "198.51.100.1", NULL, out);
    assert_string_equal(out, "198.51.100.1");
    netaddr_client(&t, "127.0.0.1", "203.0.113.5, 198.51.100.1", NULL, out); /* a forged entry in front */
    assert_string_equal(out, "198.51.100.1");
    netaddr_client(&t, "127.0.0.1", "203.0.113.5,198.51.100.1 , 10.2.3.4", NULL, out); /* an inner proxy */
    assert_string_equal(out, "198.51.100.1");
    netaddr_client(&t, "127.0.0.1", "10.9.9.9, 10.2.3.4", NULL, out); /* all trusted: the left-most */
    assert_string_equal(out, "10.9.9.9");
    netaddr_client(&t, "127.0.0.1", NULL, " 198.51.100.3 ", out);
    assert_string_equal(out, "198.51.100.3");
    netaddr_client(&t, "127.0.0.1", "2001:db8::1", NULL, out);
    assert_string_equal(out, "2001:db8::1");
    /* the right-most entry (the trusted peer's own) not an address: X-Real-IP, else the peer */
    const char *bad[] = {"", ",", "198.51.100.1,", "1.2.3.4:80", "[::1]", "\xff", "198.51.100.1, junk"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        netaddr_client(&t, "127.0.0.1", bad[i], NULL, out);
        assert_string_equal(out, "127.0.0.1");
        netaddr_client(&t, "127.0.0.1", bad[i], "198.51.100.4", out);
        assert_string_equal(out, "198.51.100.4");
    }
    /* what a client writes in front of its real address is never read: junk, ports, empty entries,
     * thousands of entries; X-Real-IP (passed through by a proxy that does not set it) is not used */
    const char *front[] = {"junk, 198.51.100.1", "1.2.3.4:80,198.51.100.1", "[::1]:443, 198.51.100.1", ",,198.51.100.1",
                           "fe80::1%eth0,198.51.100.1", "\r\nX-Evil: 1, 198.51.100.1", "\xff,198.51.100.1"};
    for (size_t i = 0; i < sizeof front / sizeof front[0]; i++) {
        netaddr_client(&t, "127.0.0.1", front[i], "203.0.113.66", out);
        assert_string_equal(out, "198.51.100.1");
    }
    char longh[60000];
    size_t k = 0;
    while (k + 20 < sizeof longh) k += (size_t)sprintf(longh + k, "203.0.113.%d,", (int)(k % 250));
    sprintf(longh + k, "198.51.100.1");
    netaddr_client(&t, "127.0.0.1", longh, "203.0.113.66", out);
    assert_string_equal(out, "198.51.100.1");
    /* a trusted hop that wrote junk: the left-most trusted entry seen */
    netaddr_client(&t, "127.0.0.1", "198.51.100.1, junk, 10.2.3.4", "203.0.113.66", out);
    assert_string_equal(out, "10.2.3.4");
    memset(longh, '1', 6000);
    longh[6000] = 0;
    netaddr_client(&t, "127.0.0.1", longh, "bad", out);
    assert_string_equal(out, "127.0.0.1");
    netlist none = {0};
    netaddr_client(&none, "127.0.0.1", "198.51.100.1", NULL, out); /* no list: never read */
    assert_string_equal(out, "127.0.0.1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_lists), cmocka_unit_test(test_client)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
