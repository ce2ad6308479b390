package io.ciphertalk.examples.springboot;

import io.ciphertalk.server.CipherTalkServer;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The CipherTalk server as a bean of the application. */
@Configuration(proxyBeanMethods = false)
public class CipherTalkConfiguration {
  /**
   * Started when the context starts (migrations run on the application's database), closed when
   * it closes: the listeners stop, queued writes are finished, and the DataSource, which the
   * application owns, is left open for Spring to close.
   */
  @Bean(initMethod = "start", destroyMethod = "close")
  CipherTalkServer cipherTalkServer(DataSource dataSource, MeterRegistry meterRegistry, CipherTalkProperties props) {
    return CipherTalkServer.builder()
        .dataSource(dataSource)
        .meterRegistry(meterRegistry)
        .bindAddress(props.bindAddress())
        .wsPort(props.wsPort())
        .httpPort(props.httpPort())
        .build();
  }

  @Bean
  ChatAccountBridge chatAccountBridge(CipherTalkServer server, CipherTalkProperties props) {
    return new ChatAccountBridge(server, props.bridgeSecret());
  }
}
