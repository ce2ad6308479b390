package io.ciphertalk.examples.console;

import java.util.HashMap;
import org.jline.reader.impl.LineReaderImpl;
import org.jline.terminal.Terminal;

/**
 * JLine's line reader with a hard limit on the line: a paste (bracketed or typed out character by
 * character) that would make the line longer than {@link CommandParser#MAX_LINE} is refused at
 * once, without inserting or drawing it; the line is cleared, one notice is printed, and what is
 * left of the paste up to the next Enter is dropped. Without this, JLine redraws the whole line for
 * every character of a large paste (quadratic: 100 KB took minutes and gigabytes). Used from the
 * reading thread only, as JLine's reader is.
 */
final class BoundedLineReader extends LineReaderImpl {
  private final int max;
  private final Runnable onKeystroke;
  private boolean overflow;

  BoundedLineReader(Terminal terminal, int max, Runnable onKeystroke) {
    super(terminal, "ciphertalk", new HashMap<>());
    this.max = max;
    this.onKeystroke = onKeystroke;
  }

  /** Reads the whole bracketed paste first, then inserts it only if the line stays in bounds. */
  @Override
  public boolean beginPaste() {
    String pasted = doReadStringUntil(BRACKETED_PASTE_END);
    if (overflow || buf.length() + pasted.length() > max) {
      refuse(buf.length() + pasted.length());
      return true;
    }
    buf.write(pasted.replace("\r\n", "\n").replace('\r', '\n'));
    return true;
  }

  @Override
  protected boolean selfInsert() {
    if (overflow) {
      return true; // the rest of a refused paste
    }
    if (buf.length() + 1 > max) {
      refuse(buf.length() + 1);
      return true;
    }
    onKeystroke.run();
    return super.selfInsert();
  }

  @Override
  protected boolean acceptLine() {
    if (overflow) {
      overflow = false;
      buf.clear();
    }
    return super.acceptLine();
  }

  private void refuse(int length) {
    overflow = true;
    buf.clear();
    printAbove("! line too long (" + (length > max + 1 ? length + " > " : "over ") + max
        + " characters): refused, nothing was sent");
  }
}
