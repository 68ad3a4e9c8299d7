/** The VAE subcommands of the {@code usp} command line (registered in usp-eval's {@code UspCli}). */
package dev.usp.vae.cli;
