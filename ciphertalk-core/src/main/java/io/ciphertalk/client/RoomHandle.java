package io.ciphertalk.client;

import io.ciphertalk.client.internal.ClientEngine;
import io.ciphertalk.client.internal.ServerLink;
import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The {@link Room} implementation: a thin handle that reads the engine's current room state. */
final class RoomHandle implements Room {
  private final ClientEngine engine;
  private final FileSender files;
  private final AttachmentTransfers transfers;
  private final String id;
  /** The room as it was when this handle was made, so kind and name outlive a removal. */
  private volatile ServerLink.RoomInfo lastKnown;

  RoomHandle(ClientEngine engine, FileSender files, AttachmentTransfers transfers, ServerLink.RoomInfo room) {
    this.engine = engine;
    this.files = files;
    this.transfers = transfers;
    this.id = room.id();
    this.lastKnown = room;
  }

  private ServerLink.RoomInfo info() {
    ServerLink.RoomInfo r = engine.room(id).orElseThrow(() -> new RoomUnavailableException(id));
    lastKnown = r;
    return r;
  }

  private ServerLink.RoomInfo known() {
    return engine.room(id).orElse(lastKnown);
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public RoomKind kind() {
    return known().kind();
  }

  @Override
  public String name() {
    ServerLink.RoomInfo r = known();
    if (r.kind() == RoomKind.PRIVATE) {
      String me = engine.self().map(a -> a.userId()).orElse("");
      for (String u : r.members().keySet()) {
        if (!u.equals(me)) {
          return u;
        }
      }
    }
    return r.name();
  }

  @Override
  public Map<String, Role> members() {
    return info().members();
  }

  @Override
  public MessageId send(String text) {
    return engine.sendText(id, text, SendOptions.none());
  }

  @Override
  public MessageId send(String text, SendOptions options) {
    return engine.sendText(id, text, options);
  }

  @Override
  public void edit(MessageId messageId, String newText) {
    engine.edit(id, messageId, newText);
  }

  @Override
  public Message sendFile(java.nio.file.Path file, String name, String mimeType, FileOptions options)
      throws java.io.IOException {
    return files.send(id, file, name, mimeType, options);
  }

  @Override
  public Message sendFile(java.io.InputStream content, String name, String mimeType, FileOptions options)
      throws java.io.IOException {
    return files.send(id, content, name, mimeType, options);
  }

  @Override
  public void deleteForEveryone(MessageId messageId) {
    java.util.Optional<Attachment> attachment = engine.attachment(messageId).map(Attachment::decode);
    engine.deleteForEveryone(id, messageId);
    // The blob goes once no message refers to it; tell the server this one no longer does.
    attachment.ifPresent(a -> {
      try {
        transfers.dropReference(a.blobId(), messageId);
      } catch (java.io.IOException | RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(RoomHandle.class)
            .info("could not end the blob reference of a deleted message (the server's expiry will): {}", e.toString());
      }
    });
  }

  @Override
  public void react(MessageId messageId, String emoji) {
    engine.react(id, Objects.requireNonNull(messageId, "messageId"), emoji, true);
  }

  @Override
  public void unreact(MessageId messageId, String emoji) {
    engine.react(id, Objects.requireNonNull(messageId, "messageId"), emoji, false);
  }

  @Override
  public void markRead() {
    engine.markRead(id);
  }

  @Override
  public int unreadCount() {
    return engine.unreadCount(id);
  }

  @Override
  public void typing(boolean typing) {
    engine.typing(id, typing);
  }

  @Override
  public List<Message> history(int limit) {
    return engine.history(id, limit);
  }

  @Override
  public List<Message> historyBefore(MessageId before, int limit) {
    return engine.historyBefore(id, before, limit);
  }

  @Override
  public void invite(String userId) throws CipherTalkException {
    engine.invite(id, CipherTalkClient.checkUser(userId));
  }

  @Override
  public void remove(String userId) throws CipherTalkException {
    engine.remove(id, CipherTalkClient.checkUser(userId));
  }

  @Override
  public void leave() throws CipherTalkException {
    engine.leave(id);
  }

  @Override
  public String topic() {
    return known().topic();
  }

  @Override
  public void setTopic(String topic) throws CipherTalkException {
    Objects.requireNonNull(topic, "topic");
    if (topic.length() > MAX_TOPIC_CHARS) {
      throw new IllegalArgumentException("topic longer than " + MAX_TOPIC_CHARS + " characters: "
          + topic.length());
    }
    if (topic.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("a topic is one line without control characters");
    }
    engine.setTopic(id, topic);
  }

  @Override
  public void setRole(String userId, Role role) throws CipherTalkException {
    engine.setRole(id, CipherTalkClient.checkUser(userId), Objects.requireNonNull(role,
        "role"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RoomHandle r && r.id.equals(id) && r.engine == engine;
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "Room[" + id + "]";
  }
}
