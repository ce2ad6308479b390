package io.ciphertalk.examples.springboot;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;

/**
 * Stand-in for the application's user store: {@code app.users[n].name/password} from the
 * configuration. A real application has its own {@code UserDetailsService} (JDBC, LDAP, ...);
 * the chat bridge works with whichever it is.
 */
@Configuration(proxyBeanMethods = false)
public class UsersConfiguration {
  @Bean
  @ConfigurationProperties("app")
  AppUsersHolder appUsersHolder() {
    return new AppUsersHolder();
  }

  @Bean
  PasswordEncoder passwordEncoder() {
    return PasswordEncoderFactories.createDelegatingPasswordEncoder();
  }

  @Bean
  UserDetailsService users(AppUsersHolder holder) {
    InMemoryUserDetailsManager m = new InMemoryUserDetailsManager();
    for (AppUsersHolder.Entry u : holder.getUsers()) {
      // Passwords are in Spring Security's stored form, {id}hash ({bcrypt}..., {noop}... in demos).
      m.createUser(User.withUsername(u.getName()).password(u.getPassword()).roles("USER").build());
    }
    return m;
  }

  /** Mutable binding target for {@code app.users}. */
  public static class AppUsersHolder {
    private List<Entry> users = List.of();

    public List<Entry> getUsers() {
      return users;
    }

    public void setUsers(List<Entry> users) {
      this.users = users;
    }

    /** One user. */
    public static class Entry {
      private String name;
      private String password;

      public String getName() {
        return name;
      }

      public void setName(String name) {
        this.name = name;
      }

      public String getPassword() {
        return password;
      }

      public void setPassword(String password) {
        this.password = password;
      }
    }
  }
}
