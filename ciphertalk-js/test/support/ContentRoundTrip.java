// Test support, run as a single-file source program over the server jar's classes: reads one
// base64url content encoding per line, decodes it with the Java SDK's ContentCodec and writes the
// Java encoding of the decoded content as base64url (or "ERROR <reason>"), one line per input line.
import io.ciphertalk.client.internal.ContentCodec;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

public class ContentRoundTrip {
  public static void main(String[] args) throws Exception {
    ContentCodec codec = new ContentCodec();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      try {
        byte[] again = codec.encode(codec.decode(Base64.getUrlDecoder().decode(line.strip())));
        System.out.println(Base64.getUrlEncoder().withoutPadding().encodeToString(again));
      } catch (Exception e) {
        System.out.println("ERROR " + e.getMessage());
      }
    }
  }
}
