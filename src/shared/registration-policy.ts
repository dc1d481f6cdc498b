/**
 * Who may start what through `register_server`: the gateway asks, the composition root decides which policy
 * applies (see `backends/registration/registration-policy.ts`).
 */

/** What a `register_server` call asks to start. */
export interface RegistrationRequest {
  readonly name: string;
  readonly command: string;
  /** As the client gave them: a string (split as a shell would, never run by one) or an array. */
  readonly args: string | readonly string[] | undefined;
  /** Folder a relative command path resolves against. */
  readonly baseDir: string;
}

/** The decision taken before `register_server` starts anything. */
export interface RegistrationPolicy {
  /**
   * Resolves with the command to start: the resolved path of the executable when an allowlist applies (so that
   * what starts is what was checked), the command as given otherwise. Rejects with a `GatewayError`
   * (`registration_denied`) that says why and what the operator can change.
   */
  authorize(request: RegistrationRequest): Promise<string>;
}
