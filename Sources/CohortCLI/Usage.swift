import Cohort

/// Help texts.
enum Usage {
    static let main = """
    cohort — feature-flag targeting rules: check, evaluate, bulk-evaluate.

    USAGE:
      cohort eval EXPR [--user JSON | --context JSON] [--now TIME] [--salt S]
      cohort eval EXPR --rules FILE [--user JSON | --context JSON] [--now TIME]
      cohort check FILE... [--format text|json|github] [--werror] [--users FILE]
      cohort fmt FILE... [--check | --write]
      cohort test [PATH...] [--run PATTERN] [--format text|json|junit] [--coverage]
      cohort batch RULES INPUT [--format jsonl|csv|table] [--summary] [options]
      cohort diff OLD NEW INPUT [--format text|json] [--changes FILE] [--max-change PCT]
      cohort disasm EXPR | --rules FILE
      cohort repl [RULES] [--users FILE] [--now TIME] [--salt S]
      cohort gen users --count N [--seed S] [--format jsonl|json|csv]
      cohort lsp
      cohort --help | --version

    COMMANDS:
      eval      Evaluate one expression and print its value as JSON.
      batch     Evaluate every flag for every record of a JSONL, JSON or CSV file.
      diff      Show which records a rule change flips: two rule files over one input.
      repl      Try rules against users interactively (scriptable on stdin).
      gen       Generate reproducible test users (for benchmarks and trials).
      check     Compile rule files; print errors and warnings with carets.
      fmt       Print rule files in the canonical layout (--check, --write).
      test      Run rule unit tests (test blocks in .cohort files); --coverage.
      disasm    Print the bytecode of an expression: constants, slots, spans, jumps.
      lsp       Language server for editors (stdio): diagnostics, hover, completion.

    EXIT STATUS:
      0  success (check: no errors; batch: every record read; fmt --check: nothing to
         change; test: every test passed)
      1  a rule or input problem: a compile error, an error value (also a flag that served
         its default because of one), a file or record that cannot be read, a file that
         fmt --check would change, a failed test
      2  a usage error: an unknown command or option, a missing or extra argument, a bad
         option value, two inputs reading stdin, a REPL that cannot start

    Colour is used on a terminal only, and never when NO_COLOR is set.
    Run 'cohort COMMAND --help' for a command's options.

    """

    /// `cohort evl`: what was wrong and where to look, not the whole help.
    static func unknownCommand(_ name: String, among commands: some Sequence<String>) -> String {
        let hint = Suggestion.closest(to: name, among: commands).map { "; did you mean '\($0)'?" } ?? ""
        let what = name.hasPrefix("-") ? "option" : "command"
        return "cohort: unknown \(what) '\(name)'\(hint)\nRun 'cohort --help' for the commands and options.\n"
    }

    static let eval = """
    USAGE: cohort eval EXPR [options]

    Evaluates EXPR and prints the result as one line of JSON (true, 42, "blue", ["a"],
    null; versions and times as strings). EXPR '-' reads the expression from stdin.

    OPTIONS:
      --user JSON       Bind a JSON object to 'user' ('-' reads it from stdin).
      --context JSON    The whole context: {"user": {...}, "device": {...}}; its keys
                        become names the expression may use.
      --now TIME        The value of now(): RFC 3339 (2026-12-01T09:00:00Z) or a date.
                        Default: the current time.
      --salt S          The default salt of bucket(key). Default: empty.
      --rules FILE      Compile FILE first; EXPR may use its lets, segments and flags
                        by name. A bare flag name evaluates that flag (salted by its
                        own name): its served value on stdout, its reason on stderr.
                        '-' reads it from stdin; a pipe such as <(...) works too.
      --explain         Also print, on stderr, the evaluation as a tree: each part of
                        the expression with its value, segments, lets and flags opened
                        up where they are used, "◀ decided" on the tests that decided
                        the outcome, an error at the part where it arose.

    An expression that starts with '-' goes after '--': cohort eval -- '-7 % 3'.
    Only one of EXPR, --user, --context and --rules can be '-'.

    EXIT: 0 printed a value; 1 compile error, error value, or a flag that served its
          default because of an error (diagnostic on stderr); 2 usage error.

    """

    static let batch = """
    USAGE: cohort batch RULES INPUT [options]

    Evaluates every flag in RULES for every record in INPUT ('-' = stdin) and writes
    one result per record, in input order. INPUT is JSON Lines (default), a JSON array
    (.json) or CSV (.csv: header row; 'age:number', 'beta:bool', 'tags:list' type a
    column; a dotted name like 'address.city' builds a nested object; empty cells are
    missing attributes).

    OPTIONS:
      --format F          jsonl (default): {"id":…,"flags":{…},"errors":{…}} per record;
                          csv: id,<flag>,…,errors rows; table: aligned columns for people.
      --summary           Print per-flag counts, shares and errors to stderr.
      --summary-file F    Write the summary as JSON to F.
      --reasons           Write why each flag served its value: "reasons":{"<flag>":
                          {"kind":"match","rule":0,"line":59},…} in JSON Lines, a
                          <flag>_reason column in CSV, "(match, rule 0, line 59)" in
                          a table. Kinds: static, match, split, default, error.
      --flags a,b         Evaluate only these flags, in this order.
      --now TIME          The value of now() for every record (default: start of run,
                          with a warning when the rules read now()).
      --id PATH           Dotted path of the id inside each record (default: id).
      --as NAME           Bind each record to NAME instead of 'user'.
      --context-records   Each record is a whole context ({"user":…,"device":…}).
      --jobs N            Threads evaluating records (default: all cores; --jobs 1
                          in engine tasks, which run one per core already).
      --output FILE       Write results to FILE atomically (temporary file, rename);
                          a device or pipe (/dev/null, a FIFO) is written directly.
      --on-error MODE     continue (default): an unreadable record becomes
                          {"line":N,"error":"…"} and the run goes on (exit 1);
                          fail: stop with exit 1 at the first chunk holding one;
                          skip: as continue, but exit 0 (engine tasks; needs --now
                          when the rules read now()).
      --line-offset N     The input starts at line N+1 of a larger file: reported
                          lines count from there (a part of a split input).
      --max-error-rate PCT
                          Exit 1 when any flag errs for more than PCT percent of
                          records (the output is still written in full).
      --input-format F    jsonl, json or csv, overriding the file extension (for stdin).
      --max-record-bytes N
                          The largest record (default 64 MiB); a larger one stops
                          the run with exit 1, naming its line.
      --no-progress       Never draw the progress line (drawn only on a terminal).

    EXIT: 0 every record read and evaluated (flag errors are data, not failures);
          1 any record unreadable (not with --on-error skip), a flag over
          --max-error-rate, unreadable rules/input, an output that cannot be
          written; 2 usage error (also an output that would replace INPUT or RULES).

    """

    static let diff = """
    USAGE: cohort diff OLD NEW INPUT [options]

    Evaluates two versions of a rule file over the same records (INPUT: JSON Lines,
    a JSON array or CSV, as batch reads them; '-' = stdin) in one pass, and reports
    what the change does: per flag that changes for anyone, 'flag: N of M records
    change (x.x%)' and its transitions 'from -> to: count'; flags added and removed;
    errors that appear or vanish; unreadable records. OLD may be @REV: NEW's path at
    a git revision (@origin/main, @HEAD~1), read with git show.

    OPTIONS:
      --format F          text (default) or json: one object on stdout,
                          {"records":M,"unreadable":U,"flags":{"<flag>":{"changed":N,
                          "share":…,"transitions":[{"from":…,"to":…,"count":K}],
                          "errors_before":A,"errors_after":B}},"added":[…],"removed":[…]}
      --changes FILE      Write the records whose values change as JSON Lines,
                          {"id":…,"changes":{"<flag>":{"from":…,"to":…}}}, atomically
                          (- is stdout; the report then goes to stderr).
      --reasons           With --changes: add why each file served its value,
                          "reasons":{"<flag>":{"from":{"kind":"default"},
                          "to":{"kind":"split","rule":0,"line":35}}}.
      --max-change PCT    Exit 1 when any flag changes for more than PCT percent of
                          the records (naming each on stderr).
      --flags a,b         Compare only these flags.
      --now TIME          The value of now() for every record and both files
                          (default: the start of the run).
      --id PATH           Dotted path of the id inside each record (default: id).
      --as NAME           Bind each record to NAME instead of 'user'.
      --context-records   Each record is a whole context ({"user":…,"device":…}).
      --jobs N            Threads evaluating records (default: all cores).
      --on-error MODE     continue (default): count and report unreadable records
                          (exit 1); fail: stop at the first; skip: as continue, exit 0.
      --line-offset N     The input starts at line N+1 of a larger file.
      --input-format F    jsonl, json or csv, overriding the file extension.
      --max-record-bytes N
                          The largest record (default 64 MiB).
      --no-progress       Never draw the progress line (drawn only on a terminal).

    EXIT: 0 every record read (and no flag over --max-change); 1 a record unreadable,
          a flag over --max-change, a rule file that does not compile or cannot be
          read (also at REV); 2 usage error.

    """

    static let repl = """
    USAGE: cohort repl [RULES] [--users FILE] [--now TIME] [--salt S]

    Type an expression to see its value for the current user (set with :user or :set);
    with users loaded (--users or :load) it also shows how many of them match. RULES
    makes the file's lets, segments and flags usable by name; :flags shows every flag
    for the current user with its reason. :help lists every command.

    Editing: arrows, Home/End, Ctrl-A/E, Alt-B/F or Ctrl-arrows (words), Backspace,
    Delete, Ctrl-K/U/W/Y, Up/Down history (kept in ~/.cohort_history), Ctrl-R reverse
    search, Tab completion, Ctrl-C clears the line, Ctrl-D on an empty line leaves.
    Open brackets continue on the next line.

    With stdin not a terminal it reads one input per line and prints plain results.

    EXIT: 0 at the end of the input, :quit or Ctrl-D; 2 when it cannot start (a usage
          error, a rule file or users file that cannot be read or has errors, a bad
          --now).

    """

    static let gen = """
    USAGE: cohort gen users [--count N] [--seed S] [--format jsonl|json|csv]

    Writes N realistic user records (default 1000) to stdout. The same seed (default 1)
    always gives the same users: id, email (missing for ~3%), group, plan, country, age,
    app_version, beta_opt_out, signup_at, tags.

    EXIT: 0 written; 2 usage error.

    """

    static let check = """
    USAGE: cohort check FILE... [--format text|json|github] [--werror] [--quiet]
                                [--users FILE [--as NAME] [--context-records]
                                 [--input-format jsonl|json|csv] [--id PATH] [--now TIME]]

    Compiles rule files without evaluating them, and warns about the mistakes that
    compile: a 'when' an earlier one covers, conditions that never or always hold,
    a version or time compared as a string, duplicates, unused lets and segments,
    flags bucketing the same users. Each diagnostic has a stable code, listed with
    an example and a fix in docs/diagnostics.md. '-' reads a rule file from stdin.

    OPTIONS:
      --format F       text (default): FILE:LINE:COL: error|warning: message, the
                       source line and a caret, on stderr. json: one array of
                       {file, line, column, end_line, end_column, severity, code,
                       message} on stdout. github: GitHub Actions annotations.
      --werror         Warnings count as errors for the exit status.
      --quiet          No 'FILE: ok' line.
      --users FILE     Evaluate every flag for every record of FILE (JSONL, JSON or
                       CSV, read as batch reads them) and warn about attributes no
                       record has (with did you mean), types that never fit, arms
                       no record reaches, flags everyone gets the same value from,
                       and flags that fail for some records.
      --as NAME        Bind each record to NAME instead of 'user'.
      --context-records  Each record is a whole context; its keys are the roots.
      --input-format F jsonl, json or csv (default: from the file name).
      --id PATH        The records' id, to name an example record (default 'id').
      --now TIME       The value of now() for the records (default: now).
      --jobs N         Threads evaluating records (default: all cores).

    EXIT: 0 no errors (warnings allowed); 1 any error, an unreadable record, or a
    warning with --werror; 2 usage error.

    """

    static let fmt = """
    USAGE: cohort fmt FILE... [--check | --write]

    Prints each rule file in the canonical layout on stdout: one declaration per line,
    one space around operators, only the parentheses the meaning needs, strings in
    double quotes with canonical escapes, flag blocks one arm per line with 'serve'
    aligned, lines over 120 columns broken at 'and'/'or' and in lists. Comments are
    kept. A file that is a single expression is formatted as one. '-' reads stdin.
    Only the syntax is checked; use 'cohort check' for names and types.

    OPTIONS:
      --check        Print nothing but the names of files that are not formatted;
                     exit 1 if there are any.
      -w, --write    Rewrite files that are not formatted, in place and atomically
                     (temporary file beside it, then rename; permissions kept).

    EXIT: 0 done (with --check: every file already formatted); 1 a syntax error, an
          unreadable file, or (--check) a file that would change; 2 usage error.

    """

    static let test = """
    USAGE: cohort test [PATH...] [--run PATTERN] [--format text|json|junit] [--coverage]

    Runs rule unit tests: the 'test' blocks of .cohort files. A PATH that is a directory
    (default: the current one) is searched recursively for .cohort files holding tests;
    a test file names the rule file it tests with 'use "flags.cohort"' (relative to
    itself). Prints 'PASS file:line name' or 'FAIL file:line name' per test, under a
    failure each failed expectation with the values of the flags and segments it names,
    and last 'N passed, M failed'. Compile errors go to stderr.

    OPTIONS:
      --run PATTERN     Run only the tests whose name contains PATTERN.
      --format F        text (default); json: one JSON object per test; junit: JUnit
                        XML for CI systems.
      --coverage        Also list, per rule file, every 'when' arm, default, segment and
                        boolean flag value no test reached, and the share covered
                        (with --format junit, on stderr).
      --now TIME        now() for tests without a 'now' line (default: the start of
                        the run).

    EXIT: 0 every test passed; 1 a test failed or a file did not compile; 2 usage error.

    """

    static let disasm = """
    USAGE: cohort disasm EXPR [--rules FILE]
           cohort disasm --rules FILE

    Compiles EXPR and prints its bytecode: constants, attribute slots, constant sets, and
    one line per instruction with operands, jump targets and the source span it came from.
    '-' reads EXPR or the rule file from stdin (one of them).

    EXIT: 0 printed; 1 compile error or unreadable rule file; 2 usage error.

    """
}
