import { InvalidConfChangeError } from './errors.ts'
import type { ConfChange, ConfState, NodeId } from './messages.ts'
import { Progress } from './progress.ts'
import { cloneTrackerConfig, emptyTrackerConfig } from './tracker.ts'
import type { ProgressTracker, TrackerConfig } from './tracker.ts'

/** The outcome of a membership change: a new configuration and progress map to switch to. */
export interface ChangeResult {
  config: TrackerConfig
  progress: Map<NodeId, Progress>
}

/**
 * Applies one single-server change (add voter, add learner, remove) to the tracker's
 * configuration, returning copies. Refuses changes that would alter more than one voter
 * or leave no voter, and any change while in a joint configuration.
 */
export function applySimpleChange (trk: ProgressTracker, cc: ConfChange, lastIndex: number): ChangeResult {
  if (trk.config.voters[1].size > 0) throw new InvalidConfChangeError('cannot apply a simple change in a joint configuration')
  const config = cloneTrackerConfig(trk.config)
  const progress = new Map(trk.progress)
  applyOne(config, progress, cc, lastIndex, trk)
  const before = trk.config.voters[0]
  const after = config.voters[0]
  let diff = 0
  for (const id of before) if (!after.has(id)) diff++
  for (const id of after) if (!before.has(id)) diff++
  if (diff > 1) throw new InvalidConfChangeError('more than one voter changed without entering a joint configuration')
  if (after.size === 0 && before.size > 0) throw new InvalidConfChangeError('removing the last voter is not allowed')
  return { config, progress }
}

function applyOne (config: TrackerConfig, progress: Map<NodeId, Progress>, cc: ConfChange, lastIndex: number, trk: ProgressTracker): void {
  if (cc.nodeId === '') return
  switch (cc.type) {
    case 'addNode': {
      config.learners.delete(cc.nodeId)
      config.learnersNext.delete(cc.nodeId)
      config.voters[0].add(cc.nodeId)
      const pr = progress.get(cc.nodeId)
      if (pr === undefined) {
        progress.set(cc.nodeId, newProgress(lastIndex, trk, false))
      } else if (pr.isLearner) {
        progress.set(cc.nodeId, copyProgress(pr, false, trk))
      }
      break
    }
    case 'addLearner': {
      const pr = progress.get(cc.nodeId)
      config.voters[0].delete(cc.nodeId)
      if (config.voters[1].has(cc.nodeId)) {
        config.learnersNext.add(cc.nodeId)
      } else {
        config.learners.add(cc.nodeId)
      }
      if (pr === undefined) {
        progress.set(cc.nodeId, newProgress(lastIndex, trk, true))
      } else if (!pr.isLearner) {
        progress.set(cc.nodeId, copyProgress(pr, true, trk))
      }
      break
    }
    case 'removeNode': {
      config.voters[0].delete(cc.nodeId)
      config.learners.delete(cc.nodeId)
      config.learnersNext.delete(cc.nodeId)
      if (!config.voters[1].has(cc.nodeId)) progress.delete(cc.nodeId)
      break
    }
  }
}

function newProgress (lastIndex: number, trk: ProgressTracker, isLearner: boolean): Progress {
  // probe from the last index: the follower most likely needs everything (or a snapshot)
  const pr = new Progress(Math.max(lastIndex, 1), trk.maxInflightMsgs, trk.maxInflightBytes, isLearner)
  pr.recentActive = true
  return pr
}

function copyProgress (old: Progress, isLearner: boolean, trk: ProgressTracker): Progress {
  const pr = new Progress(old.next, trk.maxInflightMsgs, trk.maxInflightBytes, isLearner)
  pr.match = old.match
  pr.recentActive = old.recentActive
  // state and window restart in probe: harmless, the next response fixes it
  return pr
}

/** Builds a configuration (and fresh progress) from a ConfState (snapshot or start-up). */
export function restoreConfState (trk: ProgressTracker, cs: ConfState, lastIndex: number): ChangeResult {
  const config = emptyTrackerConfig()
  const progress = new Map<NodeId, Progress>()
  const add = (id: NodeId, learner: boolean): void => {
    if (!progress.has(id)) progress.set(id, newProgress(lastIndex, trk, learner))
  }
  for (const id of cs.votersOutgoing) { config.voters[1].add(id); add(id, false) }
  for (const id of cs.voters) { config.voters[0].add(id); add(id, false) }
  for (const id of cs.learners) {
    config.learners.add(id)
    const pr = progress.get(id)
    if (pr === undefined) add(id, true)
    else pr.isLearner = true
  }
  for (const id of cs.learnersNext) config.learnersNext.add(id)
  config.autoLeave = cs.autoLeave
  return { config, progress }
}

/** Binary encoding of a ConfChange, for the data of a `confChange` entry. */
export function encodeConfChange (cc: ConfChange): Uint8Array {
  const id = new TextEncoder().encode(cc.nodeId)
  const ctx = cc.context ?? new Uint8Array(0)
  const out = new Uint8Array(1 + 4 + id.length + ctx.length)
  out[0] = cc.type === 'addNode' ? 1 : cc.type === 'addLearner' ? 2 : 3
  new DataView(out.buffer).setUint32(1, id.length)
  out.set(id, 5)
  out.set(ctx, 5 + id.length)
  return out
}

export function decodeConfChange (data: Uint8Array): ConfChange {
  if (data.length < 5) throw new InvalidConfChangeError('conf change too short')
  const t = data[0]
  const type = t === 1 ? 'addNode' : t === 2 ? 'addLearner' : t === 3 ? 'removeNode' : undefined
  if (type === undefined) throw new InvalidConfChangeError(`unknown conf change type ${String(t)}`)
  const len = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(1)
  if (5 + len > data.length) throw new InvalidConfChangeError('conf change node id truncated')
  const nodeId = new TextDecoder().decode(data.subarray(5, 5 + len))
  const context = data.slice(5 + len)
  return context.length > 0 ? { type, nodeId, context } : { type, nodeId }
}
