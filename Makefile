# The two commands of the README's quick start. Each does all the set-up it needs.
#   make demo   build in Release and run the built-in example (the seed review's Figure 1)
#   make test   build and run the whole test suite through ctest
BUILD ?= build
JOBS  ?= 2
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test bench clean asan

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

demo: build
	@$(BUILD)/metasift meta examples/seed-figure1/fig1.csv --measure MD --method REML --convention stata \
	  --group-names "Sustainable management practices,Environmental impacts of rare earth mining in China"

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

bench: build
	@bash bench/run_vs_metafor.sh

asan:
	@$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DCMAKE_BUILD_TYPE=Debug -DMETASIFT_SANITIZE=address,undefined -DMETASIFT_BUILD_BENCH=OFF"

clean:
	@rm -rf $(BUILD) build-asan
