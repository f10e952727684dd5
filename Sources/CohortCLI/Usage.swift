/// Help texts.
enum Usage {
    static let main = """
    cohort — feature-flag targeting rules: check, evaluate, bulk-evaluate.

    USAGE:
      cohort eval EXPR [--user JSON | --context JSON] [--now TIME] [--salt S]
      cohort disasm EXPR
      cohort --help | --version

    COMMANDS:
      eval      Evaluate one expression and print its value as JSON.
      disasm    Print the bytecode of an expression: constants, slots, spans, jumps.

    EXIT CODES:
      0 success; 1 a compile error, error value, or unreadable input; 2 a usage error.

    Colour is used on a terminal only, and never when NO_COLOR is set.
    Run 'cohort COMMAND --help' for a command's options.

    """

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

    EXIT: 0 printed a value; 1 compile error or error value (diagnostic on stderr);
          2 usage error.

    """

    static let disasm = """
    USAGE: cohort disasm EXPR

    Compiles EXPR and prints its bytecode: constants, attribute slots, constant sets, and
    one line per instruction with operands, jump targets and the source span it came from.

    """
}
