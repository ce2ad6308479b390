package io.ciphertalk.client;

/**
 * Progress of an upload ({@link Room#sendFile}) or a download ({@link CipherTalkClient#download}),
 * called on the transferring thread after each piece. Implementations should return quickly; one
 * that throws is logged and ignored.
 */
@FunctionalInterface
public interface TransferListener {
  /**
   * @param bytesDone plaintext bytes encrypted and uploaded, or downloaded and verified, so far
   * @param bytesTotal the file size
   */
  void onProgress(long bytesDone, long bytesTotal);
}
