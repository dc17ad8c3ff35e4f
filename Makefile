# cxzy: the two commands a user needs are `make run` and `make test`.
BUILD   ?= build
ASAN    ?= build-asan
DB      ?= data/cxzy.db
LISTEN  ?= 127.0.0.1:8080

.PHONY: all deps build asan run test check unit bench fuzz clean

all: build

deps:
	@sh scripts/install-deps.sh

$(BUILD)/build.ninja: | deps
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN)/build.ninja: | deps
	meson setup $(ASAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: deps $(ASAN)/build.ninja
	ninja -C $(ASAN)

# Builds, creates the demo database when there is none, and serves it.
run: build
	@if [ ! -f "$(DB)" ]; then ./$(BUILD)/src/cxzy demo --db "$(DB)"; \
	else echo "使用已有数据库 $(DB)（演示账号：office / town / leader / secretary / member / discipline，密码 cxzy-demo-2026）"; fi
	./$(BUILD)/src/cxzy serve --db "$(DB)" --listen "$(LISTEN)"

# Everything: unit tests (normal and ASan+UBSan builds), API tests on SQLite and PostgreSQL
# (ASan+UBSan build), the browser test on both (normal build), and the fuzz targets briefly.
test: build asan
	@sh scripts/test.sh "$(BUILD)" "$(ASAN)"

# Quick: unit tests and the API suite once, on SQLite, normal build, test files in parallel
# (a minute or two; CHECK_JOBS sets how many at once, default the number of cores).
check: build
	@sh scripts/check.sh "$(BUILD)"

unit: build
	meson test -C $(BUILD) --suite unit --print-errorlogs

# Each fuzz target (tests/fuzz) for FUZZ_SECONDS (default 60) with clang, ASan and UBSan.
FUZZ_SECONDS ?= 60
fuzz: deps
	@sh scripts/fuzz.sh "$(FUZZ_SECONDS)"

bench: build
	@sh bench/run.sh "$(BUILD)"

clean:
	rm -rf $(BUILD) $(ASAN) build-fuzz
