package io.ciphertalk.examples.springboot;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The application's own sign-in (HTTP Basic here; a real application has its form login, OAuth2
 * or SSO), which {@code /chat/token} and the actuator endpoints sit behind. The users themselves
 * come from Boot's {@code spring.security.user.*} or the application's {@code UserDetailsService}.
 */
@Configuration(proxyBeanMethods = false)
public class SecurityConfiguration {
  @Bean
  SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
    return http
        .authorizeHttpRequests(a -> a
            .requestMatchers("/actuator/health").permitAll()
            .anyRequest().authenticated())
        .httpBasic(Customizer.withDefaults())
        // A token endpoint for API clients with Basic credentials, not a browser form.
        .csrf(c -> c.ignoringRequestMatchers("/chat/**"))
        .build();
  }
}
