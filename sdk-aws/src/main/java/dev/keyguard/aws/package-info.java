/**
 * AWS Secrets Manager as a KeyGuard key source: {@link
 * dev.keyguard.aws.AwsSecretsManagerKeyProvider} reads the {@code AWSCURRENT} version of a secret,
 * offers the {@code AWSPENDING} version during rotation windows, and maps AWS errors to KeyGuard's
 * typed exceptions.
 */
package dev.keyguard.aws;
