# The front door. `make check` and `make demo` work on a fresh Debian 12
# machine as root: both install what they need first (scripts/deps.sh).

BUILD       ?= build
BUILD_ASAN  ?= build-asan
BUILD_FUZZ  ?= build-fuzz
GUEST_DIR   ?= .cache/guest
FUZZ_SECONDS ?= 20
MESON_TEST_FLAGS ?= --print-errorlogs --num-processes 2

# CI builds with warnings as errors.
ifdef CI
WERROR := -Dwerror=true
endif

.PHONY: all deps build check check-build check-asan check-fuzz guest demo bench clean

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) $(WERROR)

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

guest: deps
	@bash scripts/guest.sh $(GUEST_DIR)

# Every suite twice (plain, then ASan+UBSan), then a short fuzz run; the
# last line is the combined "N passed, N failed".
check: deps guest
	@rc=0; \
	$(MAKE) --no-print-directory check-build || rc=1; \
	$(MAKE) --no-print-directory check-asan || rc=1; \
	$(MAKE) --no-print-directory check-fuzz || rc=1; \
	python3 scripts/test-summary.py $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) || rc=1; \
	exit $$rc

check-build: build
	meson test -C $(BUILD) $(MESON_TEST_FLAGS)

$(BUILD_ASAN)/build.ninja: | deps
	meson setup $(BUILD_ASAN) $(WERROR) -Db_sanitize=address,undefined -Db_lundef=false

check-asan: deps $(BUILD_ASAN)/build.ninja
	ninja -C $(BUILD_ASAN)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/scripts/lsan.supp:print_suppressions=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C $(BUILD_ASAN) $(MESON_TEST_FLAGS) --timeout-multiplier 3

$(BUILD_FUZZ)/build.ninja: | deps
	CC=clang meson setup $(BUILD_FUZZ) -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false

check-fuzz: deps $(BUILD_FUZZ)/build.ninja
	ninja -C $(BUILD_FUZZ)
	bash scripts/run-fuzz.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

demo: build guest
	bash scripts/demo.sh $(BUILD) $(GUEST_DIR)

bench: build
	bash bench/run.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
