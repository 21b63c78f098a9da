package dev.keyguard.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The integration tests must fail, never skip, when moto is not provisioned. */
class MotoServerTest {

  @Test
  void locateBinary_whenNotProvisioned_failsTellingToRunTheProvisioningScript(@TempDir Path empty) {
    assertThatThrownBy(
            () ->
                MotoServer.locateBinary(empty.resolve("nope/moto_server").toString(), null, empty))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scripts/provision-moto.sh")
        .hasMessageContaining("nope/moto_server");
  }

  @Test
  void locateBinary_findsTheVirtualenvInAParentDirectory(@TempDir Path root) throws Exception {
    Path bin = Files.createDirectories(root.resolve(".tools/moto/bin")).resolve("moto_server");
    Files.writeString(bin, "#!/bin/sh\n");
    Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path module = Files.createDirectories(root.resolve("sdk-aws/target"));

    assertThat(MotoServer.locateBinary(null, null, module)).isEqualTo(bin);
  }
}
