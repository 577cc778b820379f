// imagetool writes a container image archive from directories, one layer each, for the VM lane: the control-plane,
// CoreDNS, pause and flannel images are built here from locally built binaries and imported into the node's
// containerd, so kubeadm never needs a registry. go-containerregistry does the image format.
//
// Usage: imagetool -tag registry.k8s.io/pause:3.10.2 -out pause.tar [-entrypoint /pause] [-env PATH=/usr/bin] DIR...
package main

import (
	"archive/tar"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var tag, out, entrypoint, cmd string
	var env list
	flag.StringVar(&tag, "tag", "", "image reference to record in the archive")
	flag.StringVar(&out, "out", "", "archive to write")
	flag.StringVar(&entrypoint, "entrypoint", "", "comma-separated entrypoint")
	flag.StringVar(&cmd, "cmd", "", "comma-separated default arguments")
	flag.Var(&env, "env", "KEY=VALUE, repeatable")
	flag.Parse()
	if tag == "" || out == "" || flag.NArg() == 0 {
		fail(fmt.Errorf("usage: imagetool -tag REF -out FILE [-entrypoint a,b] [-env K=V] DIR..."))
	}
	ref, err := name.ParseReference(tag)
	check(err)
	img := empty.Image
	for _, dir := range flag.Args() {
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return tarDir(dir) })
		check(err)
		img, err = mutate.AppendLayers(img, layer)
		check(err)
	}
	config, err := img.ConfigFile()
	check(err)
	config = config.DeepCopy()
	config.Architecture, config.OS = "amd64", "linux"
	// A fixed creation time keeps the archive (and the node disk built from it) identical between builds.
	config.Created = v1.Time{Time: time.Unix(0, 0).UTC()}
	config.Config.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
	if entrypoint != "" {
		config.Config.Entrypoint = strings.Split(entrypoint, ",")
	}
	if cmd != "" {
		config.Config.Cmd = strings.Split(cmd, ",")
	}
	img, err = mutate.ConfigFile(img, config)
	check(err)
	tmp := out + ".tmp"
	check(tarball.WriteToFile(tmp, ref, img))
	check(os.Rename(tmp, out))
}

// tarDir streams a directory as a layer: owned by root, modes and symlinks kept, times zeroed.
func tarDir(dir string) (io.ReadCloser, error) {
	pr, pw := io.Pipe()
	go func() {
		tw := tar.NewWriter(pw)
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || path == dir {
				return err
			}
			info, err := os.Lstat(path)
			if err != nil {
				return err
			}
			link := ""
			if info.Mode()&fs.ModeSymlink != 0 {
				if link, err = os.Readlink(path); err != nil {
					return err
				}
			}
			header, err := tar.FileInfoHeader(info, link)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			header.Name = filepath.ToSlash(rel)
			if d.IsDir() {
				header.Name += "/"
			}
			header.Uid, header.Gid, header.Uname, header.Gname = 0, 0, "", ""
			header.ModTime, header.AccessTime, header.ChangeTime = time.Unix(0, 0), time.Time{}, time.Time{}
			header.Format = tar.FormatPAX
			if err := tw.WriteHeader(header); err != nil {
				return err
			}
			if !info.Mode().IsRegular() {
				return nil
			}
			f, err := os.Open(path)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = io.Copy(tw, f)
			return err
		})
		if err == nil {
			err = tw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr, nil
}

func check(err error) {
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "imagetool:", err)
	os.Exit(1)
}
