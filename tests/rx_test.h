/* rx_test.h: what every cmocka runner includes. */
#ifndef RX_TEST_H
#define RX_TEST_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Directory of the test fixtures (tests/data), relative to the repo. */
#ifndef RX_TEST_DATA
#define RX_TEST_DATA "tests/data"
#endif
/* Debian's Fashion-MNIST; tests that need it skip when it is absent. */
#define RX_FMNIST_DIR "/usr/share/datasets/fashion-mnist"
#endif
