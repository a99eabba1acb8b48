# crmf: customers as YAML files in git.
# make [CC=clang] [SANITIZE=1]   build ./crmf (sanitized builds go to build/san/)
# make check                     every unit and end-to-end test, and the fuzz inputs replayed
# make fuzz [FUZZ_TIME=60] [FUZZ_SEED=N] each libFuzzer harness (clang) for FUZZ_TIME seconds
# make man                      the man pages (scdoc) in build/man/
# make pot                      po/crmf.pot from the sources; make po-check: every message translated
# make install|uninstall PREFIX=/usr/local DESTDIR=   crmf, its man pages and completions
# make DEVELOPER=0               no -Werror (the default outside a git checkout)

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/vendor-completions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
DOCDIR ?= $(DATADIR)/doc/crmf
LOCALEDIR ?= $(DATADIR)/locale
CC ?= cc
PKG_CONFIG ?= pkg-config
DEPS = yaml-0.1 libgit2 libutf8proc liburing libzip expat freexl xlsxwriter jansson libsodium libcrypto

WARN = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter
# warnings are errors while developing (a git checkout), not for whoever builds a
# release with another compiler
DEVELOPER ?= $(if $(wildcard .git),1,0)
ifeq ($(DEVELOPER),1)
WARN += -Werror
endif
CFLAGS ?= -O2 -g
# the library (and its tests) see its private headers; the commands (CLI_CFLAGS) only
# include/crmf/*.h, the library's public interface
BASE_CFLAGS = $(WARN) $(CPPFLAGS) $(CFLAGS) -D_GNU_SOURCE -Iinclude $(shell $(PKG_CONFIG) --cflags $(DEPS))
ALL_CFLAGS = $(BASE_CFLAGS) -Isrc/lib
CLI_CFLAGS = $(BASE_CFLAGS)
# Linked in: libgit2 and the libraries under it (mbedTLS, libssh2, http-parser,
# PCRE2), libyaml, utf8proc, liburing, expat, jansson and libsodium, from the .a
# files of their Debian -dev packages; all are under permissive licences
# (libgit2's GPL has a linking exception). A shared object costs every command
# its loading and relocation: these 15 took 3 ms of the 10 ms a command took to
# reach main. Shared: libcsv (LGPL), libzip, freexl, libxlsxwriter, OpenSSL, zlib;
# and GSSAPI, which libgit2 uses for Kerberos (gsslazy.c: loaded when used).
STATIC_LIBS = -lgit2 -lmbedtls -lmbedx509 -lmbedcrypto -lhttp_parser -lssh2 -lpcre2-8 \
	-lyaml -lutf8proc -luring -lexpat -ljansson -lsodium
SHARED_LIBS = -lzip -lfreexl -lxlsxwriter -lcsv -lcrypto -lz -lrt -ldl -lpthread -lm
# libgit2's loading of the CA certificates goes through git.c (crmf_git_need_tls)
WRAP = -Wl,--wrap=mbedtls_x509_crt_parse_file -Wl,--wrap=mbedtls_x509_crt_parse_path
LIBS = $(WRAP) -Wl,--undefined=gss_init_sec_context -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic $(SHARED_LIBS)

ifeq ($(FUZZ),1)
# libFuzzer builds (make fuzz): the library instrumented for coverage, ASan and UBSan
BUILD = build/fuzz
BASE_CFLAGS += -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
LDFLAGS += -fsanitize=fuzzer,address,undefined
BIN = $(BUILD)/crmf
else ifeq ($(SANITIZE),1)
BUILD ?= build/san
BASE_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
BIN = $(BUILD)/crmf
else
BUILD ?= build/$(notdir $(CC))
BIN ?= crmf
endif

LIB_SRC = $(sort $(wildcard src/lib/*.c))
CLI_SRC = $(sort $(wildcard src/cli/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/templates.o
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
# the fault-injection shim of tests/cli/t0660-faults.bats (LD_PRELOAD; never installed, never sanitized)
FAULTSHIM = $(BUILD)/faults/faultshim.so
FUZZ_SRC = $(sort $(wildcard fuzz/fuzz_*.c))
REPLAY_BIN = $(FUZZ_SRC:fuzz/%.c=$(BUILD)/replay/%)
FUZZ_BIN = $(FUZZ_SRC:fuzz/%.c=build/fuzz/%)
FUZZ_TIME ?= 60
TEMPLATES = templates/crmf.yaml templates/customer.yaml

# the translations: po/LANG.po, compiled into build/locale (which an uninstalled ./crmf finds)
LINGUAS = $(basename $(notdir $(wildcard po/*.po)))
MO_FILES = $(LINGUAS:%=build/locale/%/LC_MESSAGES/crmf.mo)

.PHONY: all check unit clean install uninstall man completion bench format fuzz fuzz-build \
	pot po-check
all: $(BIN) $(MO_FILES)

$(BUILD)/%.o: %.c $(wildcard include/crmf/*.h src/lib/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# a command that reaches past include/crmf/ ("../lib/util.h") fails the build too
$(BUILD)/src/cli/%.o: src/cli/%.c $(wildcard include/crmf/*.h src/cli/*.h src/cli/*.def)
	@mkdir -p $(dir $@)
	@if grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^"]*\.\./' $<; then \
		echo "$<: the commands include only include/crmf/*.h and src/cli/" >&2; exit 1; fi
	$(CC) $(CLI_CFLAGS) -c -o $@ $<

# where `make install` puts the catalogues, for gettext's bindtextdomain
$(BUILD)/src/cli/i18n.o: CLI_CFLAGS += -DCRMF_LOCALEDIR='"$(LOCALEDIR)"'

build/locale/%/LC_MESSAGES/crmf.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@.tmp $< && mv $@.tmp $@

# xgettext's keywords: the markers of the CLI (i18n.h) and the library's
# functions that take a message format (translated by crmf_diags_add and
# crmf_error_set themselves, see crmf_translate_set)
pot:
	sh tools/po.sh pot po/crmf.pot

po-check:
	sh tools/po.sh check

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -o $@ $<

$(BUILD)/gen/templates.c: $(BUILD)/tools/embed $(TEMPLATES)
	@mkdir -p $(BUILD)/gen
	$(BUILD)/tools/embed $@ $(TEMPLATES)

$(BUILD)/gen/templates.o: $(BUILD)/gen/templates.c include/crmf/templates.h
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/libcrmf.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(BUILD)/libcrmf.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libcrmf.a $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcrmf.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(shell $(PKG_CONFIG) --cflags cmocka) $(LDFLAGS) -o $@ $< \
		$(BUILD)/libcrmf.a $(LIBS) $(shell $(PKG_CONFIG) --libs cmocka)

# the argument parser, the one piece of the CLI tested alone: it needs nothing but libc
$(BUILD)/tests/test_args: tests/unit/test_args.c $(BUILD)/src/cli/args.o tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(CC) $(CLI_CFLAGS) -Isrc/cli $(shell $(PKG_CONFIG) --cflags cmocka) $(LDFLAGS) -o $@ $< \
		$(BUILD)/src/cli/args.o $(shell $(PKG_CONFIG) --libs cmocka)

$(FAULTSHIM): tests/faults/faultshim.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O2 -g -fPIC -shared -o $@ $< -ldl

unit: $(UNIT_BIN)

# fuzz_lsp also links the part of crmf lsp that is pure (src/cli/lsp_wire.c), as test_args
# links args.o; any other CLI object a harness needs goes on such a line
$(BUILD)/replay/fuzz_lsp build/fuzz/fuzz_lsp: $(BUILD)/src/cli/lsp_wire.o

# A harness without libFuzzer: replays the files it is given (make check)
$(BUILD)/replay/%: fuzz/%.c fuzz/replay.c fuzz/fuzz.h fuzz/fuzz_repo.h $(BUILD)/libcrmf.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Isrc/cli $(LDFLAGS) -o $@ $< fuzz/replay.c \
		$(filter $(BUILD)/src/cli/%.o,$^) $(BUILD)/libcrmf.a $(LIBS)

# (LSAN_OPTIONS: a leak of libgit2's own that LeakSanitizer is told of, tests/lsan.supp)
check: $(BIN) $(MO_FILES) $(UNIT_BIN) $(REPLAY_BIN) $(FAULTSHIM)
	LSAN_OPTIONS="suppressions=$(abspath tests/lsan.supp)" \
	CRMF="$(abspath $(BIN))" UNIT_DIR="$(abspath $(BUILD)/tests)" \
		REPLAY_DIR="$(abspath $(BUILD)/replay)" CRMF_FAULTSHIM="$(abspath $(FAULTSHIM))" \
		bash tests/run.sh

# The libFuzzer harnesses, built with clang whatever CC says
ifeq ($(FUZZ),1)
build/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz.h fuzz/fuzz_repo.h $(BUILD)/libcrmf.a
	$(CC) $(ALL_CFLAGS) -Isrc/cli $(LDFLAGS) -o $@ $< $(filter $(BUILD)/src/cli/%.o,$^) \
		$(BUILD)/libcrmf.a $(LIBS)

fuzz-build: $(FUZZ_BIN)
endif

fuzz:
	$(MAKE) FUZZ=1 CC=clang fuzz-build
	FUZZ_SEED="$(FUZZ_SEED)" bash fuzz/run.sh $(FUZZ_TIME) $(FUZZ_BIN)

# make bench [N="1000 10000"] [RUNS=5] [PARTS="core import report lsp growth"]: see bench/run.sh (N=100000 for the big one)
bench: $(BIN)
	CRMF="$(abspath $(BIN))" CC="$(CC)" bash bench/run.sh

# The man pages: crmf(1) and one per command generated from the command table
# (crmf __scdoc), crmf-format(5) from doc/format.md, crmf.yaml(5) around the
# commented default file. The completion scripts are crmf's own output.
MAN_CMDS = $(shell sed -n 's/^CMD(\(.*\))/\1/p' src/cli/commands.def | tr _ -)
MAN_PAGES = build/man/crmf.1 $(MAN_CMDS:%=build/man/crmf-%.1) build/man/crmf-format.5 \
	build/man/crmf.yaml.5
COMPLETIONS = build/completion/crmf.bash build/completion/_crmf build/completion/crmf.fish
man: $(MAN_PAGES)
completion: $(COMPLETIONS)

build/man/crmf.1: $(BIN)
	@mkdir -p $(dir $@)
	$(abspath $(BIN)) __scdoc | scdoc >$@.tmp && mv $@.tmp $@
build/man/crmf-%.1: $(BIN)
	@mkdir -p $(dir $@)
	$(abspath $(BIN)) __scdoc $* | scdoc >$@.tmp && mv $@.tmp $@
build/man/crmf-format.5: doc/format.md tools/md2scdoc.awk
	@mkdir -p $(dir $@)
	awk -v title='crmf-format(5)' -v name=crmf-format \
		-v what='the files of a crmf repository: customer files and crmf.yaml' \
		-f tools/md2scdoc.awk doc/format.md | scdoc >$@.tmp && mv $@.tmp $@
build/man/crmf.yaml.5: doc/man/crmf.yaml.5.scd.in doc/man/crmf.yaml.5.scd.tail templates/crmf.yaml
	@mkdir -p $(dir $@)
	{ cat doc/man/crmf.yaml.5.scd.in; echo '```'; cat templates/crmf.yaml; echo '```'; echo; \
		cat doc/man/crmf.yaml.5.scd.tail; } | scdoc >$@.tmp && mv $@.tmp $@
build/completion/crmf.bash: $(BIN)
	@mkdir -p $(dir $@)
	$(abspath $(BIN)) completion bash >$@
build/completion/_crmf: $(BIN)
	@mkdir -p $(dir $@)
	$(abspath $(BIN)) completion zsh >$@
build/completion/crmf.fish: $(BIN)
	@mkdir -p $(dir $@)
	$(abspath $(BIN)) completion fish >$@

install: $(BIN) $(MAN_PAGES) $(COMPLETIONS) $(MO_FILES)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) \
		$(DESTDIR)$(DOCDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/crmf
	install -m 644 $(filter %.1,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(filter %.5,$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man5/
	install -m 644 build/completion/crmf.bash $(DESTDIR)$(BASHCOMPDIR)/crmf
	install -m 644 build/completion/_crmf $(DESTDIR)$(ZSHCOMPDIR)/_crmf
	install -m 644 build/completion/crmf.fish $(DESTDIR)$(FISHCOMPDIR)/crmf.fish
	install -m 644 LICENSE README.md $(DESTDIR)$(DOCDIR)/
	for l in $(LINGUAS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
		install -m 644 build/locale/$$l/LC_MESSAGES/crmf.mo $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/ \
		|| exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/crmf $(DESTDIR)$(BASHCOMPDIR)/crmf \
		$(DESTDIR)$(ZSHCOMPDIR)/_crmf $(DESTDIR)$(FISHCOMPDIR)/crmf.fish \
		$(patsubst build/man/%.1,$(DESTDIR)$(MANDIR)/man1/%.1,$(filter %.1,$(MAN_PAGES))) \
		$(patsubst build/man/%.5,$(DESTDIR)$(MANDIR)/man5/%.5,$(filter %.5,$(MAN_PAGES))) \
		$(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(DOCDIR)/README.md \
		$(LINGUAS:%=$(DESTDIR)$(LOCALEDIR)/%/LC_MESSAGES/crmf.mo)
	-rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null

format:
	clang-format -i $(LIB_SRC) $(CLI_SRC) $(UNIT_SRC) include/crmf/*.h src/lib/*.h src/cli/*.h

clean:
	rm -rf build crmf
