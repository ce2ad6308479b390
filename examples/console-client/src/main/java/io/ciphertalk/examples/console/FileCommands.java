package io.ciphertalk.examples.console;

import io.ciphertalk.client.CipherTalkClient;
import io.ciphertalk.client.ConnectionState;
import io.ciphertalk.client.Message;
import io.ciphertalk.client.Room;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The file commands of a {@link ChatSession}: {@code /send FILE} and {@code /download N [PATH]}.
 * Thread-safe (its state is the session's {@link ConsoleView} and {@link MessageNumbers}).
 */
final class FileCommands {
  private final ConsoleView view;
  private final MessageNumbers numbers;
  private final MessagePrinter printer;
  private final Renderer renderer;
  private final ConsoleOutput out;

  FileCommands(ConsoleView view, MessageNumbers numbers, MessagePrinter printer, Renderer renderer,
      ConsoleOutput out) {
    this.view = Objects.requireNonNull(view, "view");
    this.numbers = Objects.requireNonNull(numbers, "numbers");
    this.printer = Objects.requireNonNull(printer, "printer");
    this.renderer = Objects.requireNonNull(renderer, "renderer");
    this.out = Objects.requireNonNull(out, "out");
  }

  void sendFile(String pathText) {
    CipherTalkClient client = view.client();
    Room room = view.requireCurrent(null);
    java.nio.file.Path path = java.nio.file.Path.of(pathText);
    if (!java.nio.file.Files.isRegularFile(path)) {
      throw new IllegalArgumentException("no such file: " + pathText);
    }
    String mime;
    try {
      mime = java.nio.file.Files.probeContentType(path);
    } catch (java.io.IOException e) {
      mime = null;
    }
    if (mime == null || !mime.contains("/")) {
      mime = "application/octet-stream";
    }
    io.ciphertalk.client.FileOptions.Builder options = io.ciphertalk.client.FileOptions.builder()
        .listener((done, total) -> out.status(Renderer.progress("sending " + path.getFileName(), done, total)));
    Duration after = view.expiry(room.id());
    if (after != null) {
      options.expiresAfter(after);
    }
    Message sent;
    try {
      sent = room.sendFile(path, path.getFileName().toString(), mime, options.build());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("could not send " + path.getFileName() + ": " + e.getMessage(), e);
    } finally {
      out.status("");
    }
    Mark mark = client.connectionState() == ConnectionState.CONNECTED ? Mark.SENT : Mark.QUEUED;
    numbers.advance(room.id(), sent.id(), mark);
    printer.show(sent, Optional.empty(), false);
  }

  void download(Command.Download d) {
    CipherTalkClient client = view.client();
    MessageNumbers.Ref target = numbers.ref(d.number());
    io.ciphertalk.client.Attachment a = client.attachment(target.id()).orElseThrow(() ->
        new IllegalArgumentException("message [" + d.number() + "] has no file"));
    // Never trust the sender's name as a path: only its last element, and never a hidden file.
    String safe = a.name().replaceAll("[\\\\/:\\x00-\\x1f]", "_").replaceFirst("^\\.+", "_");
    java.nio.file.Path dest = d.path().map(java.nio.file.Path::of).orElse(java.nio.file.Path.of(safe));
    if (java.nio.file.Files.isDirectory(dest)) {
      dest = dest.resolve(safe);
    }
    java.nio.file.Path shown = dest;
    try {
      client.download(a, dest, (done, total) -> out.status(Renderer.progress("receiving " + shown.getFileName(), done,
          total)), null);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("could not save [" + d.number() + "]: " + e.getMessage(), e);
    } finally {
      out.status("");
    }
    out.println(renderer.info("saved [" + d.number() + "] to " + dest + " (" + Renderer.size(a.size()) + ", verified)"));
  }
}
