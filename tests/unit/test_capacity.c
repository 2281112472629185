/*
 * test_capacity.c — unit tests for capacity.c: the instance table (sorted,
 * complete, max pods as in eni-max-pods.txt), EKS allocatable figures, and
 * pods-per-node with the binding resource.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "glc.h"

#define MI INT64_C(1048576)
#define GI (INT64_C(1024) * MI)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static struct glc_allocatable alloc_of(const char *name)
{
    struct glc_allocatable al;
    const struct glc_instance *it = glc_instance_find(name);
    assert_non_null(it);
    glc_allocatable(it, &al);
    return al;
}

static void test_c6i_2xlarge(void **state)
{
    (void)state;
    const struct glc_instance *it = glc_instance_find("c6i.2xlarge");
    assert_non_null(it);
    assert_string_equal(it->name, "c6i.2xlarge");
    assert_int_equal(it->vcpu, 8);
    assert_true(it->memory_mib == 16384);
    assert_int_equal(it->enis, 4);
    assert_int_equal(it->ips_per_eni, 15);

    struct glc_allocatable al;
    memset(&al, 0xff, sizeof al);
    glc_allocatable(it, &al);
    assert_int_equal(al.max_pods, 58);
    assert_true(al.kube_reserved_cpu_milli == 90);
    assert_true(al.cpu_milli == 7910);
    assert_true(al.kube_reserved_memory_bytes == 893 * MI);
    assert_true(al.eviction_bytes == 100 * MI);
    assert_true(al.memory_bytes == 15391 * MI);
    assert_true(al.memory_bytes == INT64_C(16138633216));

    const char *limit = NULL;
    assert_true(glc_pods_per_node(&al, 2000, 4 * GI, &limit) == 3);
    assert_string_equal(limit, "cpu"); /* 7910/2000 = 3 and 15391/4096 = 3: tie -> cpu */
}

/* max pods for every type, as listed in amazon-eks-ami eni-max-pods.txt. */
static void test_max_pods_match_eks_ami(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int max_pods;
    } want[] = {
        {"c5.large", 29},     {"c5.xlarge", 58},    {"c5.2xlarge", 58},
        {"c6i.large", 29},    {"c6i.xlarge", 58},   {"c6i.2xlarge", 58},
        {"c6i.4xlarge", 234}, {"c6i.8xlarge", 234}, {"c7i.large", 29},
        {"c7i.xlarge", 58},   {"c7i.2xlarge", 58},  {"c7i.4xlarge", 234},
        {"c7i.8xlarge", 234}, {"m5.large", 29},     {"m5.xlarge", 58},
        {"m5.2xlarge", 58},   {"m6i.large", 29},    {"m6i.xlarge", 58},
        {"m6i.2xlarge", 58},  {"m6i.4xlarge", 234}, {"m6i.8xlarge", 234},
        {"m7i.large", 29},    {"m7i.xlarge", 58},   {"m7i.2xlarge", 58},
        {"m7i.4xlarge", 234}, {"m7i.8xlarge", 234}, {"r5.large", 29},
        {"r5.xlarge", 58},    {"r5.2xlarge", 58},   {"r6i.large", 29},
        {"r6i.xlarge", 58},   {"r6i.2xlarge", 58},  {"r6i.4xlarge", 234},
        {"r6i.8xlarge", 234}, {"r7i.large", 29},    {"r7i.xlarge", 58},
        {"r7i.2xlarge", 58},  {"r7i.4xlarge", 234}, {"r7i.8xlarge", 234},
        {"t3.large", 35},     {"t3.xlarge", 58},    {"t3.2xlarge", 58},
    };
    size_t n;
    glc_instances(&n);
    assert_int_equal(n, N(want)); /* every table entry is checked here */
    for (size_t i = 0; i < N(want); i++) {
        struct glc_allocatable al = alloc_of(want[i].name);
        if (al.max_pods != want[i].max_pods)
            print_error("%s: max_pods %d, want %d\n", want[i].name, al.max_pods,
                        want[i].max_pods);
        assert_int_equal(al.max_pods, want[i].max_pods);
    }
}

static void test_memory_and_vcpu_by_family(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int vcpu;
        int64_t mib;
    } want[] = {
        {"c6i.large", 2, 4096},      {"c6i.xlarge", 4, 8192},    {"c6i.4xlarge", 16, 32768},
        {"c6i.8xlarge", 32, 65536},  {"m6i.2xlarge", 8, 32768}, {"r6i.2xlarge", 8, 65536},
        {"r7i.8xlarge", 32, 262144}, {"m7i.large", 2, 8192},     {"t3.large", 2, 8192},
        {"r5.large", 2, 16384},
    };
    for (size_t i = 0; i < N(want); i++) {
        const struct glc_instance *it = glc_instance_find(want[i].name);
        assert_non_null(it);
        assert_int_equal(it->vcpu, want[i].vcpu);
        assert_true(it->memory_mib == want[i].mib);
    }
}

static void test_table_sorted_and_positive(void **state)
{
    (void)state;
    size_t n = 0;
    const struct glc_instance *t = glc_instances(&n);
    assert_non_null(t);
    assert_true(n >= 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(t[i].name);
        assert_true(t[i].vcpu > 0);
        assert_true(t[i].memory_mib > 0);
        assert_true(t[i].enis > 0);
        assert_true(t[i].ips_per_eni > 1);
        if (i > 0) {
            if (strcmp(t[i - 1].name, t[i].name) >= 0)
                print_error("not sorted: %s before %s\n", t[i - 1].name, t[i].name);
            assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
        }
        assert_ptr_equal(glc_instance_find(t[i].name), &t[i]);
        struct glc_allocatable al;
        glc_allocatable(&t[i], &al);
        assert_true(al.cpu_milli > 0);
        assert_true(al.memory_bytes > 0);
    }
}

static void test_families_6i_7i(void **state)
{
    (void)state;
    static const char *const fam[] = {"c6i", "m6i", "r6i", "c7i", "m7i", "r7i"};
    static const char *const size[] = {"large", "xlarge", "2xlarge", "4xlarge", "8xlarge"};
    char name[32];
    for (size_t f = 0; f < N(fam); f++)
        for (size_t s = 0; s < N(size); s++) {
            snprintf(name, sizeof name, "%s.%s", fam[f], size[s]);
            assert_non_null(glc_instance_find(name));
        }
    /* Memory ratios: m = 2x c, r = 4x c; 7i = 6i. */
    for (size_t s = 0; s < N(size); s++) {
        snprintf(name, sizeof name, "c6i.%s", size[s]);
        const struct glc_instance *c = glc_instance_find(name);
        snprintf(name, sizeof name, "m6i.%s", size[s]);
        const struct glc_instance *m = glc_instance_find(name);
        snprintf(name, sizeof name, "r7i.%s", size[s]);
        const struct glc_instance *r = glc_instance_find(name);
        assert_true(m->memory_mib == 2 * c->memory_mib);
        assert_true(r->memory_mib == 4 * c->memory_mib);
        assert_int_equal(m->enis, c->enis);
        assert_int_equal(r->ips_per_eni, c->ips_per_eni);
    }
}

static void test_unknown_type(void **state)
{
    (void)state;
    assert_null(glc_instance_find("c6i.3xlarge"));
    assert_null(glc_instance_find("C6I.2XLARGE"));
    assert_null(glc_instance_find(""));
    assert_null(glc_instance_find("a"));
    assert_null(glc_instance_find("zzz.large"));
    assert_null(glc_instance_find("c6i.2xlarge "));
    assert_null(glc_instance_find(NULL));
    size_t n;
    assert_non_null(glc_instances(&n));
    assert_non_null(glc_instances(NULL));
}

static void test_reserved_cpu(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        int64_t reserved, alloc;
    } want[] = {
        {"c6i.large", 70, 1930},     /* 60 + 10 */
        {"c6i.xlarge", 80, 3920},    /* 60 + 10 + 5 + 5 */
        {"c6i.2xlarge", 90, 7910},   /* + 4 x 2.5 */
        {"c6i.4xlarge", 110, 15890}, /* + 12 x 2.5 */
        {"c6i.8xlarge", 150, 31850}, /* + 28 x 2.5 */
    };
    for (size_t i = 0; i < N(want); i++) {
        struct glc_allocatable al = alloc_of(want[i].name);
        assert_true(al.kube_reserved_cpu_milli == want[i].reserved);
        assert_true(al.cpu_milli == want[i].alloc);
    }
}

static void test_reserved_cpu_rounds_up(void **state)
{
    (void)state;
    /* Odd core counts above 4 leave a half millicore: 5 cores = 82.5m -> 83m. */
    struct glc_instance odd = {"test.odd", 5, 8192, 4, 15};
    struct glc_allocatable al;
    glc_allocatable(&odd, &al);
    assert_true(al.kube_reserved_cpu_milli == 83);
    assert_true(al.cpu_milli == 4917);
    struct glc_instance one = {"test.one", 1, 1024, 2, 4};
    glc_allocatable(&one, &al);
    assert_true(al.kube_reserved_cpu_milli == 60);
    assert_int_equal(al.max_pods, 8);
}

static void test_reserved_memory(void **state)
{
    (void)state;
    struct glc_allocatable al = alloc_of("c6i.large"); /* 29 pods: 255 + 319 = 574Mi */
    assert_true(al.kube_reserved_memory_bytes == 574 * MI);
    assert_true(al.memory_bytes == (4096 - 574 - 100) * MI);
    al = alloc_of("r6i.8xlarge"); /* 234 pods: 255 + 2574 = 2829Mi */
    assert_true(al.kube_reserved_memory_bytes == 2829 * MI);
    assert_true(al.memory_bytes == (262144 - 2829 - 100) * MI);
    al = alloc_of("t3.large"); /* 35 pods: 255 + 385 = 640Mi */
    assert_true(al.kube_reserved_memory_bytes == 640 * MI);
}

static void test_pods_binding(void **state)
{
    (void)state;
    struct glc_allocatable al = alloc_of("c6i.2xlarge"); /* 7910m, 15391Mi, 58 pods */
    const char *limit = NULL;

    assert_true(glc_pods_per_node(&al, 1000, 4 * GI, &limit) == 3);
    assert_string_equal(limit, "memory"); /* cpu 7, memory 3 */
    assert_true(glc_pods_per_node(&al, 3000, 1 * GI, &limit) == 2);
    assert_string_equal(limit, "cpu"); /* cpu 2, memory 15 */
    assert_true(glc_pods_per_node(&al, 100, 128 * MI, &limit) == 58);
    assert_string_equal(limit, "max-pods"); /* cpu 79, memory 120 */
    assert_true(glc_pods_per_node(&al, 0, 0, &limit) == 58);
    assert_string_equal(limit, "max-pods");
    assert_true(glc_pods_per_node(&al, 0, 8 * GI, &limit) == 1);
    assert_string_equal(limit, "memory");
    assert_true(glc_pods_per_node(&al, 4000, 0, &limit) == 1);
    assert_string_equal(limit, "cpu");
    assert_true(glc_pods_per_node(&al, 8000, 64 * MI, &limit) == 0);
    assert_string_equal(limit, "cpu");
    assert_true(glc_pods_per_node(&al, 100, 16 * GI, &limit) == 0);
    assert_string_equal(limit, "memory");
    /* Ties: cpu before memory before max-pods. */
    assert_true(glc_pods_per_node(&al, 7910 / 58, 15391 * MI / 58, &limit) == 58);
    assert_string_equal(limit, "cpu");
    assert_true(glc_pods_per_node(&al, 100, 15391 * MI / 58, &limit) == 58);
    assert_string_equal(limit, "memory");
    assert_true(glc_pods_per_node(&al, 7910, 15391 * MI, &limit) == 1);
    assert_string_equal(limit, "cpu");
    /* limit may be NULL. */
    assert_true(glc_pods_per_node(&al, 2000, 4 * GI, NULL) == 3);
}

static void test_pods_nonpositive_allocatable(void **state)
{
    (void)state;
    struct glc_allocatable al = {.max_pods = 4, .cpu_milli = -5, .memory_bytes = -1};
    const char *limit = NULL;
    assert_true(glc_pods_per_node(&al, 100, 0, &limit) == 0);
    assert_string_equal(limit, "cpu");
    assert_true(glc_pods_per_node(&al, 0, 100, &limit) == 0);
    assert_string_equal(limit, "memory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c6i_2xlarge),
        cmocka_unit_test(test_max_pods_match_eks_ami),
        cmocka_unit_test(test_memory_and_vcpu_by_family),
        cmocka_unit_test(test_table_sorted_and_positive),
        cmocka_unit_test(test_families_6i_7i),
        cmocka_unit_test(test_unknown_type),
        cmocka_unit_test(test_reserved_cpu),
        cmocka_unit_test(test_reserved_cpu_rounds_up),
        cmocka_unit_test(test_reserved_memory),
        cmocka_unit_test(test_pods_binding),
        cmocka_unit_test(test_pods_nonpositive_allocatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
