import { useEffect, useRef } from 'react';
import type { AlertsAnswer } from '../../../../protocol/alerts.ts';
import { newlyFiring, subjectLabel } from '../model/alert-rows.ts';

export type NotifyPermission = NotificationPermission | 'unsupported';

export const notifyPermission = (): NotifyPermission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

/**
 * Browser notifications for alerts that start firing while the dashboard is open, once the viewer
 * allowed them (the alerts page asks). The permission is read at each poll, so allowing it on one
 * page takes effect everywhere. Only what the viewer's `/api/alerts` holds is announced: a manager
 * hears of their restaurants only.
 */
export function useAlertNotifications(answer: AlertsAnswer | undefined): void {
  const known = useRef<Set<string> | null>(null);
  useEffect(() => {
    if (!answer) return;
    const { fresh, ids } = newlyFiring(known.current, answer);
    known.current = ids;
    if (notifyPermission() !== 'granted') return;
    for (const s of fresh) {
      // Text only: a notification's title and body are never markup.
      new Notification(`${s.severity === 'critical' ? 'Critical' : 'Alert'}: ${s.name}`, { body: subjectLabel(s.subject), tag: s.episode ?? undefined });
    }
  }, [answer]);
}
