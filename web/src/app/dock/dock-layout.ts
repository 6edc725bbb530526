import { DestroyRef, inject } from '@angular/core';
import { DockStore } from './dock.store';

const BOX_WIDTH = 330 + 12;
/** The sidebar on the left stays visible beside the boxes. */
const SIDEBAR = 340;
/** Below this width one chat fills the screen. */
const NARROW = 640;
/** The narrowest a stage may be, beside the sidebar and one box: from there on the screen has a stage. */
const STAGE_MIN = 480;

/**
 * Fits the dock's layout to the window's width, now and on every resize while the calling component lives.
 *
 * The main page calls it, not the dock: the dock is drawn once the page is idle, and until then the store would place
 * a chat that writes for a layout the window does not have. On a wide screen such a chat went into a box and then,
 * when the dock came, onto the stage, where a chat that writes later pops up beside it.
 */
export function fitDockToWindow(): void {
  const dock = inject(DockStore);
  const fit = () => {
    const width = window.innerWidth;
    const besideStage = Math.floor((width - SIDEBAR - STAGE_MIN) / BOX_WIDTH);
    if (besideStage >= 1) {
      dock.setLayout({ capacity: besideStage, overlay: false, stage: true });
      return;
    }
    const besideSidebar = Math.floor((width - SIDEBAR) / BOX_WIDTH);
    dock.setLayout({ capacity: width < NARROW ? 1 : besideSidebar, overlay: width < NARROW || besideSidebar < 1 });
  };
  fit();
  window.addEventListener('resize', fit);
  inject(DestroyRef).onDestroy(() => window.removeEventListener('resize', fit));
}
