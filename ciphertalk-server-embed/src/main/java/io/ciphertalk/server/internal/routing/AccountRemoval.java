package io.ciphertalk.server.internal.routing;

import io.ciphertalk.server.internal.ServiceException;
import io.ciphertalk.server.internal.auth.AccountService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an account the way its rooms expect: the account is disabled first (tokens revoked, live
 * connections ended, so it cannot act during deletion), then it leaves every room as a member
 * leaving would (ownership handed on, empty rooms deleted, members told), then its rows go
 * (devices, prekeys, contacts, queued envelopes) and its name is retired. Stateless; blocking.
 */
public final class AccountRemoval {
  private static final Logger LOG = LoggerFactory.getLogger(AccountRemoval.class);

  private AccountRemoval() {}

  public static void delete(AccountService accounts, ChatService chat, String user) {
    accounts.setDisabled(user, true);
    for (ChatService.RoomView v : chat.listRooms(user)) {
      try {
        chat.leave(user, v.room().roomId());
      } catch (ServiceException e) {
        LOG.debug("leaving {} while deleting {}: {}", v.room().roomId(), user, e.getMessage());
      }
    }
    accounts.deleteRow(user);
  }
}
