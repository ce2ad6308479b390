package io.ciphertalk.core.wire;

import io.ciphertalk.core.model.MessageId;
import io.ciphertalk.core.model.PresenceStatus;
import io.ciphertalk.core.model.ReceiptStatus;
import io.ciphertalk.core.model.Role;
import io.ciphertalk.core.model.RoomKind;
import io.ciphertalk.crypto.DeviceAddress;
import java.util.ArrayList;
import java.util.List;

/** One populated example of every frame type, shared by the codec tests and the benchmarks' docs. */
public final class SampleFrames {
  private SampleFrames() {}

  static final MessageId MID = MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f5");
  static final MessageId MID2 = MessageId.parse("01936f4e-8a2b-7c3d-9e4f-a0b1c2d3e4f6");
  static final DeviceAddress ALICE1 = DeviceAddress.of("alice", 1);
  static final DeviceAddress BOB1 = DeviceAddress.of("bob", 1);
  static final DeviceAddress BOB2 = DeviceAddress.of("bob.smith", 2);

  static Bytes bytes(int n, int seed) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (i * 31 + seed);
    }
    return Bytes.of(b);
  }

  static RoomInfo room() {
    return new RoomInfo(
        "r-42",
        RoomKind.GROUP,
        "Team ✓",
        "where we talk",
        List.of(new MemberInfo("alice", Role.OWNER), new MemberInfo("bob", Role.MEMBER)),
        100,
        1_700_000_000_000L);
  }

  static Delivery delivery() {
    return new Delivery(
        Delivery.roomStream("r-42"), 7, DeliveryKind.GROUP, MID, "r-42", ALICE1,
        1_700_000_000_123L, 1_700_000_060_000L, bytes(256, 1));
  }

  /** One frame of each type, in {@link FrameType} order. */
  public static List<Frame> all() {
    SignedPreKey spk = new SignedPreKey(5, bytes(32, 2), bytes(64, 3));
    List<Frame> f = new ArrayList<>();
    f.add(new Frame.Hello("c1", "tok_abc.DEF-123", 1, "ciphertalk-java/0.1"));
    f.add(new Frame.Welcome("c1", ALICE1, 1_700_000_000_000L));
    f.add(new Frame.Ok("c2"));
    f.add(
        new Frame.ErrorReply(
            "c3", ErrorCode.STALE_DEVICES, "device list changed", null, List.of(BOB2), List.of(BOB1)));
    f.add(
        new Frame.PreKeysPublish(
            "c4",
            bytes(64, 4),
            spk,
            List.of(new OneTimePreKey(100, bytes(32, 5)), new OneTimePreKey(101, bytes(32, 6))),
            new SignedPreKey(6, bytes(1184, 7), bytes(64, 8)),
            new SignedPreKey(7, bytes(422, 9), bytes(64, 10))));
    f.add(new Frame.BundleFetch("c5", "bob", null));
    f.add(
        new Frame.BundlesReply(
            "c5",
            "bob",
            List.of(
                new PreKeyBundle(BOB1, bytes(64, 11), spk, new OneTimePreKey(3, bytes(32, 12)), null, null))));
    f.add(
        new Frame.Send(
            "c6", MID, "r-1", null,
            List.of(new Recipient(BOB1, bytes(256, 13)), new Recipient(BOB2, bytes(256, 14)))));
    f.add(new Frame.SendGroup("c7", MID, "r-42", 1_700_000_060_000L, bytes(300, 15)));
    f.add(new Frame.SenderKeyDistribute("c8", MID2, "r-42", List.of(new Recipient(BOB1, bytes(120, 16)))));
    f.add(new Frame.Sent("c6", MID, 1_700_000_000_123L, false));
    f.add(new Frame.Deliver("s:1", delivery()));
    f.add(new Frame.Ack("c9", "room:r-42", 7));
    f.add(new Frame.HistoryFetch("c10", Delivery.DEVICE_STREAM, 0, 100));
    f.add(new Frame.HistoryReply("c10", "room:r-42", List.of(delivery()), true));
    f.add(new Frame.Receipt("c11", "r-42", ReceiptStatus.READ, List.of(MID, MID2)));
    f.add(new Frame.ReceiptEvent("s:2", "r-42", BOB1, ReceiptStatus.DELIVERED, List.of(MID), 1_700_000_000_500L));
    f.add(new Frame.Typing("c12", "r-42", true));
    f.add(new Frame.TypingEvent("s:3", "r-42", BOB1, false));
    f.add(new Frame.PresenceGet("c13", List.of("bob", "carol")));
    f.add(
        new Frame.PresenceReply(
            "c13",
            List.of(
                new PresenceInfo("bob", PresenceStatus.ONLINE, null),
                new PresenceInfo("carol", PresenceStatus.OFFLINE, 1_699_999_000_000L))));
    f.add(new Frame.PresenceEvent("s:4", new PresenceInfo("bob", PresenceStatus.OFFLINE, 1_700_000_001_000L)));
    f.add(new Frame.RoomCreate("c14", RoomKind.GROUP, "Team", "desc", List.of("bob", "carol"), 50));
    f.add(new Frame.RoomGet("c15", "r-42"));
    f.add(new Frame.RoomList("c16"));
    f.add(new Frame.RoomAdd("c17", "r-42", List.of("dave")));
    f.add(new Frame.RoomRemove("c18", "r-42", "dave"));
    f.add(new Frame.RoomLeave("c19", "r-42"));
    f.add(new Frame.RoomSetRole("c20", "r-42", "bob", Role.ADMIN));
    f.add(new Frame.RoomRename("c21", "r-42", "New name", null));
    f.add(new Frame.InviteList("c26"));
    f.add(new Frame.InviteAccept("c27", "r-42"));
    f.add(new Frame.InviteDecline("c28", "r-42"));
    f.add(new Frame.RoomReply("c15", room()));
    f.add(new Frame.RoomsReply("c16", List.of(room())));
    f.add(new Frame.RoomEvent("s:5", RoomChange.MEMBER_REMOVED, "alice", List.of("dave"), room()));
    f.add(new Frame.ContactAdd("c22", "bob", "Bobby"));
    f.add(new Frame.ContactList("c23"));
    f.add(new Frame.ContactRemove("c24", "bob"));
    f.add(new Frame.ContactBlock("c25", "mallory", true));
    f.add(new Frame.ContactsReply("c23", List.of(new ContactInfo("bob", "Bobby", false), new ContactInfo("mallory", null, true))));
    f.add(new Frame.LinkSend("c26", 2, bytes(171, 20)));
    f.add(new Frame.DeviceRevoke("c27", bytes(180, 22)));
    f.add(new Frame.LinkDeliver("s:8", ALICE1, bytes(171, 21)));
    f.add(new Frame.Notice("s:6", NoticeKind.PREKEYS_LOW, "refill", 3, null));
    return f;
  }
}
