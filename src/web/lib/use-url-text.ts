/**
 * A text input whose value lives in the URL. The input keeps its own state while typing: the URL
 * updates through a navigation, which lags a keystroke, and a controlled input fed from it would
 * drop characters typed meanwhile. An outside change (back button, a pasted link) still wins.
 */
import { useEffect, useRef, useState } from 'react';

export function useUrlText(fromUrl: string, toUrl: (value: string) => void): [string, (value: string) => void] {
  const [text, setText] = useState(fromUrl);
  const sent = useRef(fromUrl);
  useEffect(() => {
    if (fromUrl !== sent.current) {
      sent.current = fromUrl;
      setText(fromUrl);
    }
  }, [fromUrl]);
  const change = (value: string): void => {
    setText(value);
    sent.current = value;
    toUrl(value);
  };
  return [text, change];
}
