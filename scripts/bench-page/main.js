// The page of `scripts/bench-stream.mjs --tabs`: a browser libp2p node (packages/core's own
// createLibp2pNode, role 'browser') and a raw RTCPeerConnection, both driven from the bench
// through window.bench. Built by vite into a temporary directory, never shipped.
import { createLibp2pNode, BroadcastChannel, BROADCAST_TOPIC } from '@peermesh/core'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { multiaddr } from '@multiformats/multiaddr'
import { WebRTC } from '@multiformats/multiaddr-matcher'
import {
  measureThroughput, measureRoundTrips, dataChannelPipe, answerDataChannel, libp2pPipe,
  handleLibp2pProbes, SINK_PROTOCOL, ECHO_PROTOCOL
} from '../lib/stream-probe.mjs'

let node
let direct
let pc
const channels = []

async function iceComplete (connection) {
  if (connection.iceGatheringState === 'complete') return
  await new Promise((resolve) => {
    connection.addEventListener('icegatheringstatechange', () => { if (connection.iceGatheringState === 'complete') resolve() })
  })
}

window.bench = {
  async startNode (relayAddress, total) {
    node = await createLibp2pNode({
      role: 'browser', privateKey: await generateKeyPair('Ed25519'), iceServers: [],
      allowInsecureWebSockets: true, allowPrivateAddresses: true, start: true
    })
    await handleLibp2pProbes(node, total)
    await node.dial(multiaddr(relayAddress))
    const deadline = Date.now() + 20_000
    for (;;) {
      const address = node.getMultiaddrs().find((ma) => WebRTC.exactMatch(ma))
      if (address != null) return address.toString()
      if (Date.now() > deadline) throw new Error('no /p2p-circuit/webrtc address')
      await new Promise((resolve) => { node.addEventListener('self:peer:update', resolve, { once: true }) })
    }
  },
  async dialDirect (address) {
    direct = await node.dial(multiaddr(address))
    if (direct.limits != null || !WebRTC.exactMatch(direct.remoteAddr)) throw new Error(`not direct WebRTC: ${direct.remoteAddr}`)
    return direct.remoteAddr.toString()
  },
  async libp2p (total, chunk, echoes, echoSize) {
    const t = await measureThroughput(libp2pPipe(await direct.newStream(SINK_PROTOCOL)), total, chunk)
    const rtts = await measureRoundTrips(libp2pPipe(await direct.newStream(ECHO_PROTOCOL)), echoes, echoSize)
    return { mbPerS: t.mbPerS, rtts }
  },
  async rawOffer () {
    pc = new RTCPeerConnection({ iceServers: [] })
    const warm = pc.createDataChannel('warm')
    channels.push(warm)
    await pc.setLocalDescription(await pc.createOffer())
    await iceComplete(pc)
    return pc.localDescription.toJSON()
  },
  async rawAnswer (offer) {
    pc = new RTCPeerConnection({ iceServers: [] })
    pc.ondatachannel = (e) => {
      const ch = e.channel
      channels.push(ch)
      if (ch.readyState === 'open') answerDataChannel(ch)
      else ch.addEventListener('open', () => { answerDataChannel(ch) }, { once: true })
    }
    await pc.setRemoteDescription(offer)
    await pc.setLocalDescription(await pc.createAnswer())
    await iceComplete(pc)
    return pc.localDescription.toJSON()
  },
  async rawFinish (answer) {
    await pc.setRemoteDescription(answer)
    const warm = channels[0]
    if (warm.readyState !== 'open') await new Promise((resolve) => { warm.addEventListener('open', resolve, { once: true }) })
    const stats = await pc.getStats()
    let pair = null
    stats.forEach((s) => { if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') pair = s })
    return pair == null ? 'unknown' : `${stats.get(pair.localCandidateId)?.candidateType}/${stats.get(pair.remoteCandidateId)?.candidateType}`
  },
  /** `messageBytes`: split each write into data-channel messages of at most this size (as @libp2p/webrtc does at 16 KiB). */
  async raw (total, chunk, echoes, echoSize, messageBytes) {
    const open = async (label) => {
      const ch = pc.createDataChannel(label)
      channels.push(ch)
      if (ch.readyState !== 'open') await new Promise((resolve) => { ch.addEventListener('open', resolve, { once: true }) })
      const pipe = dataChannelPipe(ch)
      if (messageBytes == null) return pipe
      return { counter: pipe.counter, async send (bytes) { for (let i = 0; i < bytes.length; i += messageBytes) await pipe.send(bytes.subarray(i, i + messageBytes)) } }
    }
    const t = await measureThroughput(await open(`sink:${total}`), total, chunk)
    const rtts = await measureRoundTrips(await open('echo'), echoes, echoSize)
    return { mbPerS: t.mbPerS, rtts }
  }
}
// Broadcast (scripts/bench-broadcast.mjs --tabs): first-seen times on the shared wall clock
// (performance.timeOrigin + now, one machine) and gossipsub-level duplicates on the topic.
let channel
const firstSeen = {}
let duplicates = 0
window.bench.startBroadcast = () => {
  const score = node.services.pubsub.score
  const original = score.duplicateMessage.bind(score)
  score.duplicateMessage = (from, msgId, topic) => { if (topic === BROADCAST_TOPIC) duplicates++; return original(from, msgId, topic) }
  channel = new BroadcastChannel({ pubsub: node.services.pubsub, selfId: node.peerId.toString() })
  channel.onMessage((message) => { if (firstSeen[message.text] == null) firstSeen[message.text] = performance.timeOrigin + performance.now() })
  channel.start()
}
window.bench.dialAlso = async (address) => {
  const connection = await node.dial(multiaddr(address))
  if (connection.limits != null || !WebRTC.exactMatch(connection.remoteAddr)) throw new Error(`not direct WebRTC: ${connection.remoteAddr}`)
}
window.bench.meshSize = () => node.services.pubsub.getMeshPeers(BROADCAST_TOPIC).length
window.bench.send = async (text) => {
  const at = performance.timeOrigin + performance.now()
  await channel.send(text)
  return at
}
window.bench.seen = () => ({ firstSeen, duplicates })

window.benchReady = true
