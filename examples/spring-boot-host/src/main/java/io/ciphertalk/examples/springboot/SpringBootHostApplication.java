package io.ciphertalk.examples.springboot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;

/**
 * A Spring Boot application that embeds the CipherTalk server: the server is a bean started and
 * closed with the application context ({@link CipherTalkConfiguration}), stores its data through
 * the application's {@code DataSource}, reports its meters to the application's
 * {@code MeterRegistry} (so {@code /actuator/prometheus} shows them) and lets the application's
 * users chat without a second password ({@link ChatTokenController}).
 */
@SpringBootApplication
@EnableConfigurationProperties(CipherTalkProperties.class)
public class SpringBootHostApplication {
  public static void main(String[] args) {
    SpringApplication.run(SpringBootHostApplication.class, args);
  }
}
