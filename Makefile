# The two commands of the README's quick start. Each does all the set-up it needs.
#   make demo   build in Release and run the built-in example review (out/demo/report.html: the seed review's Figure 1)
#   make test   build and run the whole test suite through ctest
BUILD ?= build
JOBS  ?= 2
CMAKE_FLAGS ?=
# WERROR=ON turns every compiler warning into an error (CI sets it; users' compilers may warn more).
WERROR ?= OFF

.PHONY: all deps configure build demo demo-update test bench clean asan fuzz

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DMETASIFT_WERROR=$(WERROR) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

# The seed review rebuilt as a review project (examples/rare-earth-china): screening, Figure 1's
# meta-analysis and the report; prints the report's path and the pooled numbers.
demo: build
	@$(BUILD)/metasift run examples/rare-earth-china/review.toml --out out/demo

# Its second version (examples/rare-earth-china-update): one new export, run against out/demo's
# results; the report gains "What changed".
demo-update: demo
	@$(BUILD)/metasift run examples/rare-earth-china-update/review.toml --out out/demo-update --previous out/demo

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bash bench/run_vs_metafor.sh

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset's settings).
# The differential test runs on 100 data sets here: the sanitizers check memory, not numbers.
asan:
	@METASIFT_DIFF_DATASETS=100 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1 $(MAKE) test BUILD=build-asan \
	  CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug -DMETASIFT_SANITIZE=address,undefined -DMETASIFT_BUILD_BENCH=OFF -DMETASIFT_WERROR=$(WERROR)"

# Short libFuzzer runs of every parser (clang); FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	@bash scripts/install-deps.sh --ci
	@bash scripts/fuzz.sh $(FUZZ_SECONDS)

clean:
	@rm -rf $(BUILD) build-asan build-fuzz
