# Helpers the bench/ scripts share; sourced, not run.

# field NAME FILE: a GNU time -v field.
field() { awk -F': ' -v k="$1" 'index($0, k) {print $2}' "$2"; }
# seconds H:MM:SS.ss -> seconds
seconds() { awk -v t="$1" 'BEGIN {n=split(t,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}'; }
