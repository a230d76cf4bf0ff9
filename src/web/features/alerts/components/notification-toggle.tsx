import { useState } from 'react';
import { notifyPermission, type NotifyPermission } from './use-alert-notifications.ts';

const said: Record<Exclude<NotifyPermission, 'default'>, string> = {
  granted: 'Browser notifications are on for alerts that start firing while Pulse is open.',
  denied: 'Browser notifications are blocked for this site (change it in the browser\'s site settings).',
  unsupported: 'This browser has no notifications.',
};

/** Asks for notification permission from a click: browsers refuse a prompt nobody asked for. */
export function NotificationToggle() {
  const [permission, setPermission] = useState<NotifyPermission>(notifyPermission);
  if (permission !== 'default') return <p className="text-sm text-muted">{said[permission]}</p>;
  return (
    <button type="button" className="self-start rounded border border-line px-2 py-1 text-sm hover:bg-raised" data-testid="enable-notifications" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Notify me in this browser
    </button>
  );
}
