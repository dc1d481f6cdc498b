/**
 * The gateway's access rules in force, and the rights each session has under them. Rights are shared by the
 * sessions the same rules apply to and kept until a reload replaces the rules; a session finds its rights with one
 * comparison of versions per use, so that a call never matches globs after its first.
 */
import type { SessionIdentity } from '../../shared/observation.js';
import type { AccessRules } from './access-rules.js';
import { compileRules, type CompiledRules } from './compiled-rules.js';
import { Rights } from './rights.js';

/** How many identities' rights are remembered (OAuth principals are many); past it the memory starts again. */
const MAX_IDENTITIES = 10_000;

/** The rules in force. */
export class AccessPolicy {
  private compiled: CompiledRules | undefined;
  private generation = 0;
  private readonly byRules = new Map<string, Rights>();
  private readonly byIdentity = new Map<string, Rights>();

  /** `rules`: the config's `access` section; undefined: everything is allowed. */
  constructor(rules: AccessRules | undefined) {
    this.compiled = rules && compileRules(rules);
  }

  /** Whether rules are in force (an `access` section). */
  get restricted(): boolean {
    return this.compiled !== undefined;
  }

  /** Changes with every {@link replace}: sessions compare it to know their rights are stale. */
  get version(): number {
    return this.generation;
  }

  /** Puts `rules` in force for every session, open ones included (their rights are found again at their next use). */
  replace(rules: AccessRules | undefined): void {
    this.compiled = rules && compileRules(rules);
    this.generation += 1;
    this.byRules.clear();
    this.byIdentity.clear();
  }

  /** The rights of a client: those of the rules that apply to it, in config order. */
  rightsOf(identity: SessionIdentity): Rights {
    const compiled = this.compiled;
    if (!compiled) return Rights.UNRESTRICTED;
    const key = identityKey(identity);
    let rights = this.byIdentity.get(key);
    if (rights) return rights;
    const applying = compiled.rules.filter((rule) => rule.applies(identity));
    const rulesKey = applying.map((rule) => rule.index).join(',');
    rights = this.byRules.get(rulesKey);
    if (!rights) this.byRules.set(rulesKey, (rights = new Rights(applying, compiled.defaultAllows)));
    if (this.byIdentity.size >= MAX_IDENTITIES) this.byIdentity.clear();
    this.byIdentity.set(key, rights);
    return rights;
  }

  /** The access of one session, bound to its identity for its life. */
  forSession(identity: SessionIdentity): SessionAccess {
    return new SessionAccess(this, identity);
  }
}

/** One session's access: its principal and its rights under the rules in force now. */
export class SessionAccess {
  private rightsNow: Rights;
  private seen: number;

  constructor(
    private readonly policy: AccessPolicy,
    private readonly identity: SessionIdentity,
  ) {
    this.rightsNow = policy.rightsOf(identity);
    this.seen = policy.version;
  }

  /** Who the session is, for refusals. */
  get principal(): string {
    return this.identity.principal;
  }

  /** The session's rights now (found again only after a reload changed the rules). */
  rights(): Rights {
    if (this.seen !== this.policy.version) {
      this.rightsNow = this.policy.rightsOf(this.identity);
      this.seen = this.policy.version;
    }
    return this.rightsNow;
  }
}

/** What the rules can tell identities apart by. */
function identityKey({ principal, frontDoor, claims }: SessionIdentity): string {
  const door = frontDoor === 'stdio' ? 's' : 'h';
  if (!claims) return `${door}\u0000${principal}`;
  return [door, principal, claims.subject, claims.groups.join('\u0001'), claims.scopes.join('\u0001')].join(
    '\u0000',
  );
}
