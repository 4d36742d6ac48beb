/** Types of abuse-sockets.mjs (attackers on loopback, shared by the abuse tests and benchmark). */
import type { Socket } from 'node:net'

export function silentSockets (port: number, count: number, localAddress?: string): Promise<Socket[]>
export function silentSocketsFromMany (port: number, addresses: number, perAddress: number): Promise<Socket[]>
export function openCount (sockets: readonly Socket[]): number
export function destroyAll (sockets: readonly Socket[]): void
export function timedGet (url: string, deadlineMs?: number): Promise<{ status: number, ms: number }>
export function trickle (port: number, text: string, intervalMs: number, deadlineMs: number): Promise<number>
export function upgradedSilentSocket (port: number, localAddress?: string): Promise<{ socket: Socket, upgraded: boolean }>
