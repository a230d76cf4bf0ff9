/**
 * Which connections belong to which restaurant, and each restaurant's order sequence. Tenant
 * isolation lives here: a broadcast reaches the members of one room, and a connection joins the
 * room of the restaurant its verified token names — nothing a terminal sends can change that.
 */
export interface RoomMember {
  /** Send an already encoded frame; `seq` is the restaurant sequence it carries. */
  deliver(frame: string, seq: number, sentAt: number): void;
}

interface Room<M> {
  members: Set<M>;
  seq: number;
}

export class RestaurantRooms<M extends RoomMember> {
  private rooms = new Map<string, Room<M>>();

  join(restaurantId: string, member: M): void {
    let room = this.rooms.get(restaurantId);
    if (!room) {
      room = { members: new Set(), seq: 0 };
      this.rooms.set(restaurantId, room);
    }
    room.members.add(member);
  }

  /** The room (and its seq) outlives its last member, so a reconnecting terminal never sees seq go back. */
  leave(restaurantId: string, member: M): void {
    this.rooms.get(restaurantId)?.members.delete(member);
  }

  /** Number the next frame of a restaurant, build it with that seq, send it to every member. */
  broadcast(restaurantId: string, build: (seq: number) => string, sentAt: number): { seq: number; delivered: number; bytes: number } {
    let room = this.rooms.get(restaurantId);
    if (!room) {
      room = { members: new Set(), seq: 0 };
      this.rooms.set(restaurantId, room);
    }
    const seq = ++room.seq;
    const frame = build(seq);
    for (const member of room.members) member.deliver(frame, seq, sentAt);
    return { seq, delivered: room.members.size, bytes: Buffer.byteLength(frame) };
  }

  size(restaurantId: string): number {
    return this.rooms.get(restaurantId)?.members.size ?? 0;
  }
}
