/**
 * The Lua scripts that change the shared registry. Each runs atomically in Redis and first checks a deadline
 * against Redis's own clock: a write the gateway already reported as failed (its timeout passed while Redis was
 * stalled) is refused when Redis gets to it, instead of taking effect late.
 */

/** Redis's clock in milliseconds, inside a script. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now > tonumber(ARGV[1]) then return -1 end
`;

/**
 * Registers one entry: KEYS registry, rev; ARGV deadline, channel, name, sealed entry. Returns the new revision,
 * 0 when the name is taken, -1 past the deadline.
 */
export const REGISTER_SCRIPT = `${NOW}
if redis.call('HSETNX', KEYS[1], ARGV[3], ARGV[4]) == 0 then return 0 end
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], rev)
return rev
`;

/** Removes one entry: KEYS registry, rev; ARGV deadline, channel, name. Returns the new revision, 0 when absent, -1. */
export const REMOVE_SCRIPT = `${NOW}
if redis.call('HDEL', KEYS[1], ARGV[3]) == 0 then return 0 end
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[2], rev)
return rev
`;

/** The clock and the next sequence number: KEYS seq. Returns {seconds, microseconds, seq}. */
export const PREPARE_SCRIPT = `
local t = redis.call('TIME')
return {t[1], t[2], redis.call('INCR', KEYS[1])}
`;

/**
 * Puts entries back after the store lost its data: KEYS registry, rev, seq, epoch; ARGV channel, epoch, then name,
 * sealed entry, seq triples. Entries already there stay; the sequence counter is raised past every seq; the epoch
 * is set when none is. Returns the new revision.
 */
export const RESEED_SCRIPT = `
redis.call('SET', KEYS[4], ARGV[2], 'NX')
local top = tonumber(redis.call('GET', KEYS[3]) or '0')
for i = 3, #ARGV, 3 do
  redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  local seq = tonumber(ARGV[i + 2])
  if seq > top then top = seq end
end
redis.call('SET', KEYS[3], top)
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[1], rev)
return rev
`;
