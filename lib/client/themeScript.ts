// The theme is chosen before first paint (no flash): this inline <head> script sets the `dark`
// class on <html> from localStorage, or from prefers-color-scheme when nothing was chosen.
export const THEME_KEY = 'fulcrum-theme';

export const THEME_SCRIPT = `(function(){try{var t=localStorage.getItem(${JSON.stringify(THEME_KEY)});if(t!=="light"&&t!=="dark"){t=window.matchMedia("(prefers-color-scheme: dark)").matches?"dark":"light"}var d=document.documentElement;d.classList.toggle("dark",t==="dark");d.style.colorScheme=t}catch(e){}})()`;
