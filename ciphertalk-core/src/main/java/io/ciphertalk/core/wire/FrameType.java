package io.ciphertalk.core.wire;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.HashMap;
import java.util.Map;

/**
 * Every frame type of protocol version 1: its wire name (the {@code "type"} field), its record
 * class and its direction. Handy for dispatch with a {@code switch} on {@link Frame#type()}.
 */
public enum FrameType {
  HELLO("hello", Frame.Hello.class, Direction.REQUEST),
  WELCOME("welcome", Frame.Welcome.class, Direction.RESPONSE),
  OK("ok", Frame.Ok.class, Direction.RESPONSE),
  ERROR("error", Frame.ErrorReply.class, Direction.RESPONSE),
  PREKEYS_PUBLISH("prekeys_publish", Frame.PreKeysPublish.class, Direction.REQUEST),
  BUNDLE_FETCH("bundle_fetch", Frame.BundleFetch.class, Direction.REQUEST),
  BUNDLES("bundles", Frame.BundlesReply.class, Direction.RESPONSE),
  SEND("send", Frame.Send.class, Direction.REQUEST),
  SEND_GROUP("send_group", Frame.SendGroup.class, Direction.REQUEST),
  SENDER_KEY("sender_key", Frame.SenderKeyDistribute.class, Direction.REQUEST),
  SENT("sent", Frame.Sent.class, Direction.RESPONSE),
  DELIVER("deliver", Frame.Deliver.class, Direction.PUSH),
  ACK("ack", Frame.Ack.class, Direction.REQUEST),
  HISTORY_FETCH("history_fetch", Frame.HistoryFetch.class, Direction.REQUEST),
  HISTORY("history", Frame.HistoryReply.class, Direction.RESPONSE),
  RECEIPT("receipt", Frame.Receipt.class, Direction.REQUEST),
  RECEIPT_EVENT("receipt_event", Frame.ReceiptEvent.class, Direction.PUSH),
  TYPING("typing", Frame.Typing.class, Direction.REQUEST),
  TYPING_EVENT("typing_event", Frame.TypingEvent.class, Direction.PUSH),
  PRESENCE_GET("presence_get", Frame.PresenceGet.class, Direction.REQUEST),
  PRESENCES("presences", Frame.PresenceReply.class, Direction.RESPONSE),
  PRESENCE_EVENT("presence_event", Frame.PresenceEvent.class, Direction.PUSH),
  ROOM_CREATE("room_create", Frame.RoomCreate.class, Direction.REQUEST),
  ROOM_GET("room_get", Frame.RoomGet.class, Direction.REQUEST),
  ROOM_LIST("room_list", Frame.RoomList.class, Direction.REQUEST),
  ROOM_ADD("room_add", Frame.RoomAdd.class, Direction.REQUEST),
  ROOM_REMOVE("room_remove", Frame.RoomRemove.class, Direction.REQUEST),
  ROOM_LEAVE("room_leave", Frame.RoomLeave.class, Direction.REQUEST),
  ROOM_ROLE("room_role", Frame.RoomSetRole.class, Direction.REQUEST),
  ROOM_RENAME("room_rename", Frame.RoomRename.class, Direction.REQUEST),
  INVITE_LIST("invite_list", Frame.InviteList.class, Direction.REQUEST),
  INVITE_ACCEPT("invite_accept", Frame.InviteAccept.class, Direction.REQUEST),
  INVITE_DECLINE("invite_decline", Frame.InviteDecline.class, Direction.REQUEST),
  ROOM("room", Frame.RoomReply.class, Direction.RESPONSE),
  ROOMS("rooms", Frame.RoomsReply.class, Direction.RESPONSE),
  ROOM_EVENT("room_event", Frame.RoomEvent.class, Direction.PUSH),
  CONTACT_ADD("contact_add", Frame.ContactAdd.class, Direction.REQUEST),
  CONTACT_LIST("contact_list", Frame.ContactList.class, Direction.REQUEST),
  CONTACT_REMOVE("contact_remove", Frame.ContactRemove.class, Direction.REQUEST),
  CONTACT_BLOCK("contact_block", Frame.ContactBlock.class, Direction.REQUEST),
  CONTACTS("contacts", Frame.ContactsReply.class, Direction.RESPONSE),
  LINK_SEND("link_send", Frame.LinkSend.class, Direction.REQUEST),
  DEVICE_REVOKE("device_revoke", Frame.DeviceRevoke.class, Direction.REQUEST),
  LINK_DELIVER("link_deliver", Frame.LinkDeliver.class, Direction.PUSH),
  NOTICE("notice", Frame.Notice.class, Direction.PUSH);

  /** Who sends a frame type. */
  public enum Direction {
    /** Client to server; answered by exactly one response with the same id. */
    REQUEST,
    /** Server to client, answering a request. */
    RESPONSE,
    /** Server to client, unasked. */
    PUSH
  }

  private static final Map<String, FrameType> BY_NAME = new HashMap<>();

  static {
    for (FrameType t : values()) {
      BY_NAME.put(t.wireName, t);
    }
  }

  private final String wireName;
  private final Class<? extends Frame> recordClass;
  private final Direction direction;

  FrameType(String wireName, Class<? extends Frame> recordClass, Direction direction) {
    this.wireName = wireName;
    this.recordClass = recordClass;
    this.direction = direction;
  }

  /** The {@code "type"} value on the wire. */
  @JsonValue
  public String wireName() {
    return wireName;
  }

  /** The record class of this type. */
  public Class<? extends Frame> recordClass() {
    return recordClass;
  }

  /** Who sends it. */
  public Direction direction() {
    return direction;
  }

  /** The type with wire name {@code name}, or null if there is none. */
  public static FrameType fromWireName(String name) {
    return BY_NAME.get(name);
  }
}
